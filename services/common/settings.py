"""Settings shared by every Dixian app.

Each app subclasses `CommonSettings` with its own `env_prefix` for its own fields; the shared
fields carry explicit aliases so one `DATABASE_URL` (and the key material) configures all apps.
The development keys below are public on purpose: they make a fresh clone work with no
configuration, and `ENVIRONMENT=production` refuses to start with any of them.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url

DEV_SIGNING_KEY_ID = "dev-2026"
DEV_SIGNING_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIBDTodduW4TsP+1wyqqj/2z87y9B8fCfxGcYjO840PXH\n"
    "-----END PRIVATE KEY-----\n"
)
DEV_PUBLIC_KEY = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAR7TIbDHiWiKBS0jWBp39kH+6gNVFK8SJ+dh+TZfMRCA=\n"
    "-----END PUBLIC KEY-----\n"
)
DEV_DATA_KEYS = "dev-2026:S7nxu2lVlGmKyeiRsWgaDijg1qzsgRbcuK5IbZ2gKI4="
DEV_BLIND_INDEX_KEY = "k1wFptZtSpSE8ig5vbSd/uRa1Te7ArnBV+3RirJWMCY="

EMBEDDED_DATABASE_URL = "postgresql://postgres@127.0.0.1:54320/postgres"

Environment = Literal["development", "test", "production"]


class CommonSettings(BaseSettings):
    """Settings every app reads; documented one by one in the README."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    environment: Environment = Field("development", validation_alias="ENVIRONMENT")
    database_url: str = Field(EMBEDDED_DATABASE_URL, validation_alias="DATABASE_URL")
    database_prefix: str = Field("dixian_", validation_alias="DATABASE_PREFIX")
    database_role: str = Field("dixian_app", validation_alias="DATABASE_ROLE")
    database_pool_size: int = Field(10, ge=1, le=200, validation_alias="DATABASE_POOL_SIZE")
    jwt_public_keys: str = Field(
        json.dumps({DEV_SIGNING_KEY_ID: DEV_PUBLIC_KEY}), validation_alias="JWT_PUBLIC_KEYS"
    )
    jwt_issuer: str = Field("dixian-gateway", validation_alias="JWT_ISSUER")
    jwt_audience: str = Field("dixian", validation_alias="JWT_AUDIENCE")
    data_keys: str = Field(DEV_DATA_KEYS, validation_alias="DATA_KEYS")
    data_key_current: str | None = Field(None, validation_alias="DATA_KEY_CURRENT")
    blind_index_key: str = Field(DEV_BLIND_INDEX_KEY, validation_alias="BLIND_INDEX_KEY")
    idempotency_ttl_hours: int = Field(
        24, ge=1, le=24 * 30, validation_alias="IDEMPOTENCY_TTL_HOURS"
    )
    max_body_bytes: int = Field(16 * 1024 * 1024, ge=1024, validation_alias="MAX_BODY_BYTES")
    # Monitoring and employment: seconds between folds of the county figures (0: never).
    figure_fold_seconds: float = Field(10, ge=0, le=3600, validation_alias="FIGURE_FOLD_SECONDS")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    log_json: bool = Field(True, validation_alias="LOG_JSON")

    @model_validator(mode="after")
    def _refuse_development_keys_in_production(self) -> CommonSettings:
        if self.environment != "production":
            return self
        if DEV_PUBLIC_KEY.strip() in self.jwt_public_keys.replace("\\n", "\n"):
            raise ValueError("JWT_PUBLIC_KEYS still trusts the development signing key")
        if DEV_DATA_KEYS.split(":", 1)[1] in self.data_keys:
            raise ValueError("DATA_KEYS still holds the development encryption key")
        if self.blind_index_key == DEV_BLIND_INDEX_KEY:
            raise ValueError("BLIND_INDEX_KEY is the development key")
        return self

    def public_keys(self) -> dict[str, str]:
        """The token verification keys by key id (PEM), parsed from `JWT_PUBLIC_KEYS`."""
        keys = json.loads(self.jwt_public_keys)
        if not isinstance(keys, dict) or not keys:
            raise ValueError("JWT_PUBLIC_KEYS must be a JSON object of key id to PEM")
        return {str(kid): str(pem) for kid, pem in keys.items()}

    def database_name(self, service: str) -> str:
        """The database a service owns on the configured server, e.g. `dixian_monitoring`."""
        return f"{self.database_prefix}{service}"

    def service_database_url(self, service: str, *, driver: str = "postgresql+asyncpg") -> URL:
        """The URL of a service's own database on the configured server."""
        url = make_url(self.database_url)
        return url.set(drivername=driver, database=self.database_name(service))
