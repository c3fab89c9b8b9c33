"""Request and response models of subsidies."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.common.money import Money
from services.employment.shared import Day, PersonNumberInput, StrictModel, Text50, Text100


class TransportSubsidyCreate(StrictModel):
    """The one-time transport subsidy for a labourer working out of the province in a year."""

    labourer_id: uuid.UUID
    year: int = Field(ge=2000, le=2200)
    paid_on: Day


class StudySubsidyCreate(StrictModel):
    """The vocational-study subsidy (雨露计划) for a student of an eligible household."""

    person_number: PersonNumberInput = Field(description="the student's ID number")
    name: Text50
    school: Text100
    year: int = Field(ge=2000, le=2200)
    paid_on: Day


class SubsidyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    area_code: str
    year: int
    person_number: str = Field(validation_alias="person_number_masked", description="masked")
    person_name: str
    household_id: uuid.UUID
    labourer_id: uuid.UUID | None
    school: str | None
    amount: Money
    paid_on: date
    version: int
    created_at: datetime
