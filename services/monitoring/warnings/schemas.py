"""Requests and answers of `/warnings` and `/leads`. ID numbers leave only masked; a record's
details (which may hold diagnoses) only for principals with `personal_data:reveal`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.common.money import Money

WarningKind = Literal["warning", "lead"]
WarningState = Literal["open", "acknowledged", "dismissed", "converted"]
CodeValue = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WarningRead(BaseModel):
    """A warning on a household (预警), or a lead on an unregistered person (线索)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: WarningKind
    state: WarningState
    area_code: str = Field(description="The household's village; for a lead, the area named")
    household_id: uuid.UUID | None
    rule_id: uuid.UUID
    rule_code: str
    risk_type: str = Field(description="risk_type code the rule suggests (风险类型)")
    source: str
    event_type: str
    person_number_masked: str = Field(description="The person of the first event, masked")
    person_name: str
    event_count: int
    first_event_on: date
    last_event_on: date
    largest_amount: Money | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None
    dismissal_reason: str | None
    case_id: uuid.UUID | None = Field(description="The identification case opened from it")
    version: int
    created_at: datetime
    updated_at: datetime


class WarningEventRead(BaseModel):
    """One department record attached to the warning (预警事件)."""

    source: str
    source_record_id: str
    event_type: str
    event_date: date
    amount: Money | None
    person_number_masked: str
    person_name: str
    area_code: str
    batch_id: uuid.UUID
    rule_version_id: int
    attached_at: datetime
    details: dict[str, Any] | None = Field(
        None, description="Only with the personal_data:reveal scope (audited)"
    )


class WarningDetail(WarningRead):
    events: list[WarningEventRead]


class Dismissal(StrictModel):
    reason: Reason = Field(description="Why the warning needs no case (排除理由)")


class CaseFromWarning(StrictModel):
    """Open an identification case (识别纳入) on the warning's household."""

    proposed_category: CodeValue = Field(description="monitoring_category code (监测对象类别)")
    proposed_risk_types: list[CodeValue] | None = Field(
        None, min_length=1, max_length=5, description="Default: the rule's risk type"
    )


class CaseFromLead(CaseFromWarning):
    """Open an identification case on the household the lead's person has since been
    registered in (it must hold that person as an active member)."""

    household_id: uuid.UUID


class PersonNumberRevealed(BaseModel):
    person_number: str
