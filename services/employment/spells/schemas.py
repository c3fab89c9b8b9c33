"""Request and response models of employment spells and of a labourer's year."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.money import Money
from services.employment.shared import Day, StrictModel, Text200

PlaceClass = Literal["in_county", "in_province", "out_of_province"]
SpellKind = Literal["enterprise", "public_welfare_post", "assistance_workshop", "self_employed"]
PLACE_CLASSES: tuple[str, ...] = ("in_county", "in_province", "out_of_province")
SPELL_KINDS: tuple[str, ...] = (
    "enterprise",
    "public_welfare_post",
    "assistance_workshop",
    "self_employed",
)


class SpellCreate(StrictModel):
    """A job (就业): where, from when to when, for how much, of which kind."""

    employer: Text200 = Field(description="employer, or the business of a self-employed person")
    place_class: PlaceClass = Field(
        description="in_county 县内, in_province 省内县外, out_of_province 省外"
    )
    kind: SpellKind = Field(
        description="enterprise 企业, public_welfare_post 公益性岗位, "
        "assistance_workshop 帮扶车间, self_employed 自主创业/灵活就业"
    )
    start_date: Day
    end_date: Day | None = Field(None, description="empty while the job goes on")
    monthly_wage: Money
    post_id: uuid.UUID | None = Field(None, description="the post, for kind public_welfare_post")
    workshop_id: uuid.UUID | None = Field(
        None, description="the workshop, for kind assistance_workshop"
    )


class SpellUpdate(StrictModel):
    """Send only what changes, with `If-Match: <version>`; e.g. the end date when a job ends."""

    employer: Text200 | None = None
    place_class: PlaceClass | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    monthly_wage: Money | None = None


class SpellRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    labourer_id: uuid.UUID
    area_code: str
    employer: str
    place_class: str
    kind: str
    start_date: date
    end_date: date | None
    monthly_wage: Money
    post_id: uuid.UUID | None
    workshop_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


class WorkInYearRead(BaseModel):
    """A labourer's work in one year and whether it counts as employed (就业认定)."""

    labourer_id: uuid.UUID
    year: int
    worked_days: int
    days_in_county: int
    days_in_province: int
    days_out_of_province: int
    employed: bool
    place_class: str | None
    rule: str
