"""Settings of the funds service (prefix FUNDS_ for its own fields)."""

from pydantic_settings import SettingsConfigDict

from services.common.settings import CommonSettings


class FundsSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="FUNDS_", env_file=".env", extra="ignore")
