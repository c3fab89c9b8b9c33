"""Request and response models of assistance workshops."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from services.employment.shared import AreaCode, Day, StrictModel, Text100


class WorkshopCreate(StrictModel):
    """An assistance workshop (帮扶车间) in a township or village."""

    area_code: AreaCode = Field(description="township or village code")
    name: Text100
    operator: Text100 = Field(description="the enterprise or person running it (经营主体)")
    industry: Text100 | None = None
    opened_on: Day | None = None


class WorkshopUpdate(StrictModel):
    """Send only what changes, with `If-Match: <version>`."""

    name: Text100 | None = None
    operator: Text100 | None = None
    industry: Text100 | None = None
    opened_on: Day | None = None


class WorkshopRead(BaseModel):
    id: uuid.UUID
    area_code: str
    name: str
    operator: str
    industry: str | None
    opened_on: date | None
    workers: int = Field(description="labourers working there today")
    exited_poverty_workers: int = Field(description="of whom from exited-poverty households")
    qualifying: bool = Field(
        description="employs at least the required number of exited-poverty workers today"
    )
    required_exited_poverty_workers: int
    version: int
    created_at: datetime
    updated_at: datetime
