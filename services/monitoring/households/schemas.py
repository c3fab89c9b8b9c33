"""Request and response models of the registry. Personal data leaves only masked."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.common.fields import AreaCode

Text50 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]
HouseholdKind = Literal["exited_poverty", "ordinary"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberFields(StrictModel):
    """What an officer records about a member (sex and birth date come from the ID number)."""

    name: Text50
    relationship: Code = Field(description="relationship code list (与户主关系)")
    education: Code | None = None
    student_status: Code | None = None
    health: Code | None = None
    labour_ability: Code | None = None
    work_place: Text100 | None = None
    work_months: int | None = Field(None, ge=0, le=12)
    medical_insurance: bool = False
    pension_insurance: bool = False
    minimum_living_allowance: bool = Field(False, description="低保")
    extreme_poverty_support: bool = Field(False, description="特困供养")


class MemberCreate(MemberFields):
    person_number: Annotated[str, StringConstraints(min_length=15, max_length=30)] = Field(
        description="18-digit resident ID, or 20/22-digit disability certificate number"
    )


class MemberUpdate(StrictModel):
    """Send only what changes, with `If-Match: <version>`."""

    name: Text50 | None = None
    relationship: Code | None = None
    education: Code | None = None
    student_status: Code | None = None
    health: Code | None = None
    labour_ability: Code | None = None
    work_place: Text100 | None = None
    work_months: int | None = Field(None, ge=0, le=12)
    medical_insurance: bool | None = None
    pension_insurance: bool | None = None
    minimum_living_allowance: bool | None = None
    extreme_poverty_support: bool | None = None


class MemberLeave(StrictModel):
    """A member leaves the registry (death, moving away): kept, marked inactive."""

    left_on: date
    reason: Code = Field(description="member_left_reason code list")


class MemberMoveRequest(StrictModel):
    """Moving a member to another household (分户、合户), history kept."""

    to_household_id: uuid.UUID
    relationship: Code
    reason: Text200


class HeadChange(StrictModel):
    """Another member becomes the head of household (变更户主): the head died or left, or the
    household re-forms around another member. Send `If-Match: <household version>`."""

    member_id: uuid.UUID = Field(description="The active member who becomes head (新户主)")
    former_head_relationship: Code = Field(
        description="relationship code list: what the former head is to the new head "
        "(原户主与新户主关系), anything but `head`; a former head who died then leaves "
        "through `POST /members/{id}/leave`"
    )


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    household_id: uuid.UUID
    area_code: str
    person_number: str = Field(validation_alias="person_number_masked", description="masked")
    person_number_kind: str
    name: str
    sex: str
    birth_date: date
    relationship: str
    education: str | None
    student_status: str | None
    health: str | None
    labour_ability: str | None
    work_place: str | None
    work_months: int | None
    medical_insurance: bool
    pension_insurance: bool
    minimum_living_allowance: bool
    extreme_poverty_support: bool
    active: bool
    left_on: date | None
    left_reason: str | None
    version: int


class MemberMoveRead(BaseModel):
    """A member who moved into or out of the household (成员迁入迁出记录)."""

    id: int
    member_id: uuid.UUID
    name: str
    person_number: str = Field(description="masked")
    direction: Literal["in", "out"] = Field(
        description="`in` (迁入) or `out` (迁出), seen from the household asked about"
    )
    from_household_id: uuid.UUID
    to_household_id: uuid.UUID
    reason: str
    moved_at: datetime
    moved_by: str = Field(description="Who recorded the move (token subject)")


class HouseholdCreate(StrictModel):
    """A new household with its members (新增农户); exactly one member is the head."""

    area_code: AreaCode = Field(description="12-digit code of the household's village")
    kind: HouseholdKind
    household_number: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    address: Text200 | None = None
    phone: Annotated[str, StringConstraints(max_length=30)] | None = None
    members: list[MemberCreate] = Field(min_length=1, max_length=30)


class HouseholdUpdate(StrictModel):
    kind: HouseholdKind | None = None
    household_number: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    address: Text200 | None = None
    phone: Annotated[str, StringConstraints(max_length=30)] | None = None


class HouseholdSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    area_code: str
    household_number: str | None
    kind: str
    head_name: str
    monitoring_status: str
    monitoring_category: str | None
    member_count: int
    version: int


class HouseholdRead(HouseholdSummary):
    address: str | None
    phone: str | None = Field(validation_alias="phone_masked", description="masked")
    risk_types: list[str]
    identified_on: date | None
    eliminated_on: date | None
    created_at: datetime
    updated_at: datetime
    members: list[MemberRead] = Field(default_factory=list)


class PersonNumberRevealed(BaseModel):
    member_id: uuid.UUID
    person_number: str = Field(description="The full number; this read is audited (查看留痕).")
