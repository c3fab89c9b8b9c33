"""Request and response models of employment targets."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.employment.shared import StrictModel


class TargetInput(StrictModel):
    target: int = Field(ge=0, le=10_000_000, description="labourers to employ in the year")


class TargetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    county_code: str
    year: int
    target: int
    version: int
    created_at: datetime
    updated_at: datetime


class Completion(BaseModel):
    """A county's employed labourers against its target (完成率)."""

    county_code: str
    year: int
    target: int
    employed: int
    employed_in_county: int
    employed_in_province: int
    employed_out_of_province: int
    completion_rate: str | None = Field(description="percent with two decimals")
