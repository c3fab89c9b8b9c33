"""Request and response models of visits and revisits."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Line breaks allowed, NUL (which PostgreSQL refuses) not.
Findings = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=r"^[^\x00]+$"),
]
VisitKind = Literal["visit", "revisit"]


class VisitCreate(BaseModel):
    """A visit (走访), or a revisit (回访) of a risk-eliminated household."""

    model_config = ConfigDict(extra="forbid")

    kind: VisitKind = Field(description="`visit` (走访) or `revisit` (回访, after elimination)")
    visited_on: date = Field(description="The day of the visit (Asia/Shanghai), not in the future")
    findings: Findings = Field(description="What the officer found (走访情况)")
    risk_found: bool = Field(
        description="The risk is back; on a revisit this reopens the case (风险消除回退). On a "
        "household whose risk is eliminated, a `visit` with `risk_found` is refused (422, "
        "`body.kind`, rule `revisit_required`): record it as a `revisit`"
    )


class VisitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    household_id: uuid.UUID
    area_code: str
    kind: str
    visited_on: date
    officer: str
    findings: str | None
    risk_found: bool
    version: int
    created_at: datetime
    updated_at: datetime


class VisitCreated(VisitRead):
    reopened_case_id: uuid.UUID | None = Field(
        None, description="The case a revisit that found the risk back reopened"
    )


class RevisitDue(BaseModel):
    """A risk-eliminated household not revisited yet this month (本月未回访)."""

    household_id: uuid.UUID
    area_code: str
    head_name: str
    eliminated_on: date | None
    last_revisit_on: date | None
