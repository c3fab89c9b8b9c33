"""Requests and answers of `/warning-rules`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.common.fields import AreaCode
from services.monitoring.models import WarningRule, WarningRuleVersion
from services.monitoring.warnings.rules.conditions import Condition, StrictModel

RuleCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,59}$")]
CodeValue = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class RuleFields(StrictModel):
    """What a version of a rule says."""

    source: CodeValue = Field(description="feed_source code (数据来源部门)")
    event_type: CodeValue = Field(description="feed_event_type code of that source (事件类型)")
    condition: Condition
    risk_type: CodeValue = Field(description="risk_type code the rule suggests (风险类型)")
    description: Description


class RuleCreate(RuleFields):
    """A new rule of a province (000000000000: the national default set)."""

    province_code: AreaCode = Field(description="A province, or 000000000000 for the default")
    code: RuleCode = Field(description="Stable name of the rule in its province (规则代码)")


class RuleUpdate(StrictModel):
    """Send only what changes, with `If-Match: <version>`; a new version is written."""

    source: CodeValue | None = None
    event_type: CodeValue | None = None
    condition: Condition | None = None
    risk_type: CodeValue | None = None
    description: Description | None = None


class RuleVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="Version id, as named by batches (规则版本)")
    version: int
    source: str
    event_type: str
    condition: Condition
    risk_type: str
    description: str
    retired: bool
    created_by: str
    created_at: datetime


class RuleRead(BaseModel):
    id: uuid.UUID
    province_code: str
    code: str
    version: int
    retired: bool
    current: RuleVersionRead
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, rule: WarningRule, current: WarningRuleVersion) -> RuleRead:
        return cls(
            id=rule.id,
            province_code=rule.province_code,
            code=rule.code,
            version=rule.version,
            retired=rule.retired,
            current=RuleVersionRead.model_validate(current),
            created_at=rule.created_at,
            updated_at=rule.updated_at,
        )


class RuleDetail(RuleRead):
    versions: list[RuleVersionRead]
