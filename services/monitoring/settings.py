"""Settings of the monitoring service (prefix MONITORING_ for its own fields)."""

from pydantic_settings import SettingsConfigDict

from services.common.settings import CommonSettings


class MonitoringSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="MONITORING_", env_file=".env", extra="ignore")
