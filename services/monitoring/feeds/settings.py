"""Settings of department feeds (prefix MONITORING_FEED_), documented in the README."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FeedSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MONITORING_FEED_", env_file=".env", extra="ignore"
    )

    worker_enabled: bool = Field(True, description="Run the batch worker inside the app")
    poll_seconds: float = Field(2.0, gt=0, le=3600, description="Idle worker's queue poll")
    chunk_records: int = Field(10_000, ge=1, le=100_000, description="Records per chunk")
    max_batch_bytes: int = Field(2 * 1024**3, ge=1024, description="Largest batch body")
    max_batch_records: int = Field(5_000_000, ge=1, description="Most records in a batch")
    max_attempts: int = Field(3, ge=1, le=100, description="Failed tries before `failed`")
    write_connections: int = Field(
        2, ge=1, le=2, description="Connections a batch is written on (2: chunks overlap)"
    )
    prepare_processes: int = Field(
        1, ge=0, le=64, description="Processes checking chunks (0: a thread of the app)"
    )


def feed_settings(app: FastAPI) -> FeedSettings:
    """The app's feed settings, read from the environment on first use."""
    settings: FeedSettings | None = getattr(app.state, "feed_settings", None)
    if settings is None:
        settings = FeedSettings()
        app.state.feed_settings = settings
    return settings
