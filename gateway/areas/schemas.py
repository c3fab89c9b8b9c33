"""Request and response models of the area registry (区划)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from services.common.areas import AreaLevel, InvalidAreaCode, validate_area_code

CODE_PATTERN = r"^[0-9]{12}$"


def _valid_code(code: str) -> str:
    # Our own rule names (code_format, code_structure) rather than pydantic's generic
    # pattern error, so a JSON body and a CSV row report the same rule for the same code.
    try:
        return validate_area_code(code)
    except InvalidAreaCode as exc:
        raise PydanticCustomError(f"code_{exc.rule}", exc.message) from None


AreaCode = Annotated[
    str,
    AfterValidator(_valid_code),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": CODE_PATTERN,
            "description": "12-digit statistical division code (统计用区划代码)",
            "examples": ["411424105000"],
        }
    ),
]
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
