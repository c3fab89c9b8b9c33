"""Reading figures: sums of the stored village figures over code prefixes, plus the figures
that depend on the clock, counted from indexed deadlines."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import scope_bounds
from services.monitoring.models import AreaFigure, Case


def _group(column: Any, depth: int) -> Any:
    """The code of the enclosing area at a depth: the first `depth` digits, padded with zeros."""
    return func.rpad(func.left(column, depth), 12, literal("0"))


async def stored_figures(
    session: AsyncSession, area: str, depth: int, year: int
) -> list[tuple[str, str, int]]:
    """(area code at the level, metric, value) for all-time and the year's figures under `area`."""
    low, high = scope_bounds(area)
    group = _group(AreaFigure.area_code, depth).label("group_code")
    query = (
        select(group, AreaFigure.metric, func.sum(AreaFigure.value))
        .where(AreaFigure.area_code.between(low, high), AreaFigure.year.in_([0, year]))
        .group_by(group, AreaFigure.metric)
    )
    return [
        (code, metric, int(value)) for code, metric, value in (await session.execute(query)).all()
    ]


async def overdue_cases(
    session: AsyncSession, area: str, depth: int, today: date
) -> list[tuple[str, int]]:
    low, high = scope_bounds(area)
    group = _group(Case.area_code, depth).label("group_code")
    query = (
        select(group, func.count())
        .where(
            and_(
                Case.area_code.between(low, high),
                Case.closed_on.is_(None),
                Case.deadline_on < today,
            )
        )
        .group_by(group)
    )
    return [(code, int(count)) for code, count in (await session.execute(query)).all()]
