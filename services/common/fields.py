"""Pydantic field types every app shares."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from services.common.areas import InvalidAreaCode, validate_area_code

CODE_PATTERN = r"^[0-9]{12}$"


def _valid_area_code(code: str) -> str:
    # Our own rule names (code_format, code_structure) rather than pydantic's generic pattern
    # error, so a JSON body, a query parameter and a CSV row report the same rule for a code.
    try:
        return validate_area_code(code)
    except InvalidAreaCode as exc:
        raise PydanticCustomError(f"code_{exc.rule}", exc.message) from None


AreaCode = Annotated[
    str,
    AfterValidator(_valid_area_code),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": CODE_PATTERN,
            "description": "12-digit statistical division code (统计用区划代码)",
            "examples": ["411424105201"],
        }
    ),
]
