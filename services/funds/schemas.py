"""Field types every funds request shares."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from services.common.areas import InvalidAreaCode, validate_area_code


def _valid_area_code(code: str) -> str:
    try:
        return validate_area_code(code)
    except InvalidAreaCode as exc:
        raise ValueError(exc.message) from exc


AreaCode = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{12}$"),
    AfterValidator(_valid_area_code),
]
"""A 12-digit statistical division code (统计用区划代码), checked for its structure."""
# One line of text (names, numbers, units): no control characters.
Line = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[^\x00-\x1f\x7f]+$")
]
# Free text (notes, reasons): line breaks allowed, NUL (which PostgreSQL refuses) not.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[^\x00]*$")]
Year = Annotated[int, Field(ge=2000, le=2100, description="Fund year (资金年度)")]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100, description="Fund year (资金年度)")]
AreaQuery = Annotated[AreaCode | None, Query(description="Only records under this area")]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
