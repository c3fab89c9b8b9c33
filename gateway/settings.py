"""Settings of the gateway (prefix GATEWAY_ for its own fields)."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import DEV_SIGNING_KEY, DEV_SIGNING_KEY_ID, CommonSettings


class GatewaySettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_file=".env", extra="ignore")

    signing_key: str = DEV_SIGNING_KEY
    signing_key_id: str = DEV_SIGNING_KEY_ID
    access_token_minutes: int = Field(15, ge=1, le=24 * 60)
    lockout_threshold: int = Field(5, ge=1, le=100)
    lockout_minutes: int = Field(15, ge=1, le=24 * 60)
    monitoring_url: str = "http://127.0.0.1:8001"
    funds_url: str = "http://127.0.0.1:8002"
    employment_url: str = "http://127.0.0.1:8003"
    upstream_connect_timeout: float = Field(2.0, gt=0)
    upstream_timeout: float = Field(60.0, gt=0)
    indicators_deadline_seconds: float = Field(2.0, gt=0, le=60)
    # Machine clients' token buckets (per client, per gateway replica).
    rate_limit_pulls_per_minute: int = Field(120, ge=1)
    rate_limit_pulls_burst: int = Field(30, ge=1)
    rate_limit_requests_per_minute: int = Field(600, ge=1)
    rate_limit_requests_burst: int = Field(120, ge=1)

    @model_validator(mode="after")
    def _refuse_development_signing_key(self) -> GatewaySettings:
        if self.environment == "production" and self.signing_key.strip() == DEV_SIGNING_KEY.strip():
            raise ValueError("GATEWAY_SIGNING_KEY is the development key")
        if self.signing_key_id not in self.public_keys():
            raise ValueError("JWT_PUBLIC_KEYS must contain GATEWAY_SIGNING_KEY_ID")
        return self

    def service_urls(self) -> dict[str, str]:
        return {
            "monitoring": self.monitoring_url,
            "funds": self.funds_url,
            "employment": self.employment_url,
        }
