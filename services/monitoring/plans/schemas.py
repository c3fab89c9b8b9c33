"""Request and response models of help plans, help measures and the lists of what is late."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

# One line of text (names, units): no control characters.
Line = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[^\x00-\x1f\x7f]+$")
]
# Free text (notes, descriptions): line breaks allowed, NUL (which PostgreSQL refuses) not.
Text = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^\x00]*$")]


def _money_as_text(value: object) -> object:
    # Money travels as a decimal string ("3000.00"); a JSON number could already have lost
    # cents to binary floating point before it reached us.
    if not isinstance(value, str):
        raise ValueError('the amount must be a decimal string, e.g. "3000.00"')
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_money_as_text),
    Field(ge=0, max_digits=18, decimal_places=2),
    WithJsonSchema(
        {"type": "string", "pattern": r"^[0-9]{1,16}(\.[0-9]{1,2})?$", "examples": ["3000.00"]}
    ),
]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HelpPlanWrite(StrictModel):
    """The whole help plan (帮扶计划); a PUT replaces every field."""

    helper_name: Annotated[Line, Field(max_length=50, description="帮扶责任人 (a public servant)")]
    helper_unit: Annotated[Line, Field(max_length=100, description="帮扶单位")] | None = None
    helper_phone: (
        Annotated[
            str, Field(min_length=1, max_length=30, description="Mobile or landline; shown masked")
        ]
        | None
    ) = None
    notes: Annotated[Text, Field(max_length=4000)] | None = None


class HelpPlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    household_id: uuid.UUID
    area_code: str
    helper_name: str
    helper_unit: str | None
    helper_phone_masked: str | None
    notes: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class MeasureCreate(StrictModel):
    """A help measure (帮扶措施) the household receives: one policy enjoyed (享受政策)."""

    measure: Annotated[
        str, Field(min_length=1, max_length=40, description="Code list help_measure")
    ]
    description: Annotated[Text, Field(max_length=4000)] | None = None
    started_on: date
    ended_on: date | None = None
    amount: Money | None = Field(None, description="Yuan, a decimal string with at most 2 decimals")


class MeasureRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    household_id: uuid.UUID
    area_code: str
    measure: str
    description: str | None
    started_on: date
    ended_on: date | None
    amount: Decimal | None
    version: int
    created_at: datetime
    updated_at: datetime


class HouseholdBehind(BaseModel):
    """A monitored household that is behind on its help: no plan, or no measure, in time."""

    household_id: uuid.UUID
    area_code: str
    head_name: str
    monitoring_category: str | None
    identified_on: date
    days_since_identified: int
