"""Settings of the monitoring service (prefix MONITORING_ for its own fields).

The periods of the case workflow and of help are national practice by default; provinces set
their own, so they are settings, each documented in the README, until they become per-province
data.
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import CommonSettings


class MonitoringSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="MONITORING_", env_file=".env", extra="ignore")

    notice_days: int = Field(
        5, ge=1, le=30, description="Days the village's public notice (公示) runs at least"
    )
    identification_deadline_days: int = Field(
        15, ge=1, le=365, description="Days from opening to decide an identification (识别纳入)"
    )
    elimination_deadline_days: int = Field(
        15, ge=1, le=365, description="Days from opening to decide a risk elimination (风险消除)"
    )
    plan_days: int = Field(
        10, ge=1, le=365, description="Days from approval to record the help plan (帮扶计划)"
    )
    measure_days: int = Field(
        30,
        ge=1,
        le=365,
        description="Days from approval without a measure (帮扶措施) before a warning",
    )

    @model_validator(mode="after")
    def _deadlines_outlast_the_notice(self) -> MonitoringSettings:
        # Both procedures hold the notice: a shorter deadline would make every case overdue.
        for name in ("identification_deadline_days", "elimination_deadline_days"):
            if getattr(self, name) < self.notice_days:
                raise ValueError(
                    f"MONITORING_{name.upper()} ({getattr(self, name)}) is shorter than "
                    f"MONITORING_NOTICE_DAYS ({self.notice_days})"
                )
        return self
