"""Settings of the employment service (prefix EMPLOYMENT_ for its own fields)."""

from pydantic_settings import SettingsConfigDict

from services.common.settings import CommonSettings


class EmploymentSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="EMPLOYMENT_", env_file=".env", extra="ignore")
