"""Request and response models of the area registry (区划)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from services.common.areas import AreaLevel
from services.common.fields import AreaCode

# Control characters are refused: PostgreSQL cannot store NUL, and none belongs in a name.
AreaName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AreaCreate(StrictModel):
    """A township, village or custom area to register (新增区划)."""

    code: AreaCode
    name: AreaName = Field(examples=["慈圣镇"])
    parent_code: AreaCode | None = Field(
        None, description="Defaults to the structural parent of `code` (上级区划)."
    )
    custom: bool = Field(
        False,
        description=(
            "A unit outside the national list, such as a demonstration zone (示范区); "
            "administrators only."
        ),
    )


class AreaUpdate(StrictModel):
    """A rename or a dissolution; send only what changes, with `If-Match: <version>`."""

    name: AreaName | None = None
    dissolved_on: date | None = Field(
        None,
        description=(
            "The day the unit was dissolved (撤销日期); its code stays valid for old records. "
            "`null` reinstates it."
        ),
    )


class AreaRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: AreaLevel
    parent_code: str | None
    custom: bool
    dissolved_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime


class ImportRejection(BaseModel):
    """One CSV row that was not registered, and why."""

    row: int = Field(description="1-based number of the data row (the header is not counted)")
    field: str
    rule: str
    message: str


class ImportReport(BaseModel):
    """What an import did (导入结果): re-importing the same file creates nothing."""

    received: int
    created: int
    unchanged: int
    rejected: list[ImportRejection]
