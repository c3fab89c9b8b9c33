"""Request and response models of labourers and their training. ID numbers leave only masked."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.employment.shared import Day, PersonNumberInput, StrictModel, Text50, Text100

Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Certificate = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class LabourerCreate(StrictModel):
    """Register a labourer (劳动力登记): the monitoring service confirms the person."""

    person_number: PersonNumberInput = Field(description="18-digit resident ID (身份证号)")
    name: Text50
    skills: list[Skill] = Field(default_factory=list, max_length=20, description="技能")
    certificates: list[Certificate] = Field(default_factory=list, max_length=20, description="证书")


class LabourerUpdate(StrictModel):
    """Send only what changes, with `If-Match: <version>`."""

    name: Text50 | None = None
    skills: list[Skill] | None = Field(None, max_length=20)
    certificates: list[Certificate] | None = Field(None, max_length=20)


class LabourerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    area_code: str
    member_id: uuid.UUID
    household_id: uuid.UUID
    person_number: str = Field(validation_alias="person_number_masked", description="masked")
    name: str
    sex: str
    birth_date: date
    household_kind: str
    monitoring_status: str
    labour_ability: str | None
    skills: list[str]
    certificates: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class TrainingCreate(StrictModel):
    """A training course (技能培训) a labourer took."""

    course: Text100
    provider: Text100 | None = None
    started_on: Day
    ended_on: Day | None = None
    certificate: Certificate | None = None


class TrainingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    labourer_id: uuid.UUID
    area_code: str
    course: str
    provider: str | None
    started_on: date
    ended_on: date | None
    certificate: str | None
    version: int
