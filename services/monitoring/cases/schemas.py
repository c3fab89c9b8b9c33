"""Requests and answers of `/cases`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.common.auth.roles import Role
from services.monitoring.cases.periods import notice_ends_on
from services.monitoring.cases.transitions import Action, Step, role_for
from services.monitoring.models import Case, CaseStep

CodeValue = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Findings = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Objection = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
OpenProcedure = Literal["identification", "elimination"]
AnyProcedure = Literal["identification", "elimination", "elimination_reversal"]
CaseState = Literal[
    "home_verification",
    "data_comparison",
    "village_review",
    "township_review",
    "county_approval",
    "closed",
]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseOpen(StrictModel):
    """A new case on a household (立案). Identification needs `source`, `proposed_category` and
    `proposed_risk_types`; risk elimination needs `elimination_kind` and the officer's
    `large_costs_resolved` and `guarantees_secure` (两不愁三保障及饮水安全有保障)."""

    household_id: uuid.UUID
    procedure: OpenProcedure
    opened_on: date | None = Field(
        None,
        description="The day the application was received or the finding made (受理日期), when "
        "it is recorded later (paper forms, no signal): today by default, at most 30 days back; "
        "the deadline counts from it",
    )
    source: CodeValue | None = Field(
        None,
        description="Identification only: case_source code, `application` (农户申报) or "
        "`officer_finding` (干部排查); `department_warning` (部门预警) is refused here (422 "
        "`use_warning_route`): open it on the warning, `POST /warnings/{id}/case`",
    )
    source_reference: str | None = Field(
        None,
        max_length=100,
        description="e.g. the number of the application form; on a case opened from a "
        "department warning, the warning's id",
    )
    proposed_category: CodeValue | None = Field(
        None, description="Identification only: monitoring_category code (监测对象类别)"
    )
    proposed_risk_types: list[CodeValue] | None = Field(
        None,
        min_length=1,
        max_length=5,
        description="risk_type codes, 1 to 5 (风险类型); for elimination the household's own "
        "risk types when left out",
    )
    elimination_kind: CodeValue | None = Field(
        None, description="Elimination only: elimination_kind code (帮扶消除/自然消除)"
    )
    large_costs_resolved: bool | None = Field(
        None, description="Elimination only: the large costs are resolved (刚性支出问题已解决)"
    )
    guarantees_secure: bool | None = Field(
        None, description="Elimination only: the guarantees and water are secure (三保障和饮水)"
    )


class CaseStepAction(StrictModel):
    """One action on the step a case is at. `findings` is required to send back or reject (the
    reason). Step data: `consent_signed` at home verification (identification), and
    `notice_started_on` (required) and `objections` at the village review."""

    step: Step = Field(description="The step acted on; it must be the case's current step")
    action: Action
    findings: Findings | None = None
    consent_signed: bool | None = Field(None, description="Signed consent of the household")
    notice_started_on: date | None = Field(None, description="First day of the public notice")
    objections: list[Objection] | None = Field(
        None, max_length=100, description="Objections raised during the notice (异议)"
    )


class CaseStepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    step: str
    action: str
    actor: str
    actor_role: str
    acted_at: datetime
    findings: str | None
    details: dict[str, object]


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    household_id: uuid.UUID
    area_code: str
    procedure: str
    source: str | None
    source_reference: str | None
    elimination_kind: str | None
    state: str
    proposed_category: str | None
    proposed_risk_types: list[str]
    opened_by: str
    opened_on: date
    deadline_on: date = Field(
        description="The deadline (办理时限), fixed when the case is opened: `opened_on` plus the "
        "procedure's configured days (15 by default)"
    )
    notice_started_on: date | None
    notice_ends_on: date | None = Field(
        None,
        description="First day the township may complete its review (公示期满): "
        "`notice_started_on` plus the configured notice days (5 by default)",
    )
    closed_on: date | None
    outcome: str | None
    overdue: bool = Field(False, description="Open and past its deadline (超期)")
    next_role: Role | None = Field(None, description="The role that takes the current step")
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, case: Case, today: date, notice_days: int) -> CaseRead:
        read = cls.model_validate(case)
        return read.model_copy(update=_derived(case, today, notice_days))


class CaseDetail(CaseRead):
    steps: list[CaseStepRead]

    @classmethod
    def with_steps(
        cls, case: Case, steps: list[CaseStep], today: date, notice_days: int
    ) -> CaseDetail:
        read = CaseRead.model_validate(case).model_dump()
        return cls(
            **read | _derived(case, today, notice_days),
            steps=[CaseStepRead.model_validate(step) for step in steps],
        )


def _derived(case: Case, today: date, notice_days: int) -> dict[str, object]:
    return {
        "notice_ends_on": notice_ends_on(case.notice_started_on, notice_days),
        "overdue": case.closed_on is None and case.deadline_on < today,
        "next_role": role_for(case.state),
    }
