"""Request and response models of public-welfare posts."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from services.common.money import Money
from services.employment.shared import AreaCode, StrictModel, Text100


class PostCreate(StrictModel):
    """A public-welfare post (公益性岗位) in a township or village."""

    area_code: AreaCode = Field(description="township or village code")
    name: Text100 = Field(description="e.g. 保洁员, 护林员")
    duty: Text100 | None = None
    managing_unit: Text100 = Field(description="the unit that manages the post (管理单位)")
    monthly_pay: Money = Field(description="at most the local minimum wage (最低工资标准)")
    positions: int = Field(1, ge=1, le=1000, description="how many people it employs at once")


class PostUpdate(StrictModel):
    """Send only what changes, with `If-Match: <version>`."""

    name: Text100 | None = None
    duty: Text100 | None = None
    managing_unit: Text100 | None = None
    monthly_pay: Money | None = None
    positions: int | None = Field(None, ge=1, le=1000)


class PostRead(BaseModel):
    id: uuid.UUID
    area_code: str
    name: str
    duty: str | None
    managing_unit: str
    monthly_pay: Money
    positions: int
    minimum_wage: Money = Field(description="the local minimum wage that caps the pay")
    holders: int = Field(description="people holding the post today")
    version: int
    created_at: datetime
    updated_at: datetime
