"""Reading figures: sums of the stored county slots over code prefixes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import scope_bounds
from services.funds.figures.rollups import ALL_YEARS
from services.funds.models import FundFigure


def enclosing(column: Any, depth: int) -> Any:
    """The code of the enclosing area at a depth: the first `depth` digits, padded with zeros."""
    return func.rpad(func.left(column, depth), 12, literal("0"))


async def stored_figures(
    session: AsyncSession, area: str, depth: int, year: int
) -> list[tuple[str, str, Decimal]]:
    """(area code at the level, metric, value) for the year's and all-time figures under
    `area`."""
    group = enclosing(FundFigure.county_code, depth).label("group_code")
    query = (
        select(group, FundFigure.metric, func.sum(FundFigure.value))
        .where(
            FundFigure.county_code.between(*scope_bounds(area)),
            FundFigure.year.in_([ALL_YEARS, year]),
        )
        .group_by(group, FundFigure.metric)
    )
    return [
        (code, metric, Decimal(value))
        for code, metric, value in (await session.execute(query)).all()
    ]
