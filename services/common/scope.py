"""The area scope rule as SQL: applied in the WHERE clause of every query, never after a fetch."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, true

from services.common.areas import NATION_CODE
from services.common.auth.principal import Principal


def in_scope(area_column: Any, principal: Principal) -> ColumnElement[bool]:
    """`area_column BETWEEN low AND high` for the principal's area (index friendly)."""
    if principal.area == NATION_CODE:
        return true()
    low, high = principal.area_bounds
    return area_column.between(low, high)
