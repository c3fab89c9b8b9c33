"""Reading figures: sums of the stored figures over code prefixes (the current ones, from the
county rows at county level and above; or the village figures' dated deltas up to a day), plus
the figures that depend on the clock, counted from indexed deadlines."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import scope_bounds
from services.common.closed_figures import VILLAGE_DAYS, monthly_sums, sums_as_of
from services.common.county_figures import current_sums, group_code
from services.common.dated_figures import ALL_YEARS, MonthlyDelta
from services.monitoring.models import AreaFigure, Case, CountyFigure


async def stored_figures(
    session: AsyncSession, area: str, depth: int, year: int, as_of: date | None = None
) -> list[tuple[str, str, int]]:
    """(area code at the level, metric, value) for all-time and the year's figures under `area`:
    current, or as of the end of the day `as_of`."""
    if as_of is not None:
        dated = await sums_as_of(session, VILLAGE_DAYS, area, depth, [ALL_YEARS, year], as_of)
        return [(code, metric, int(value)) for code, metric, value in dated]
    query = current_sums(AreaFigure, CountyFigure, area, depth, year)
    return [
        (code, metric, int(value)) for code, metric, value in (await session.execute(query)).all()
    ]


async def monthly_deltas(
    session: AsyncSession, area: str, years: list[int], until: date
) -> list[MonthlyDelta]:
    """(year, first day of the month, metric, sum of deltas) under `area` up to `until`, for
    all-time figures and the given years'."""
    return await monthly_sums(session, VILLAGE_DAYS, area, [ALL_YEARS, *years], until)


async def overdue_cases(
    session: AsyncSession, area: str, depth: int, today: date, *, past: bool = False
) -> list[tuple[str, int]]:
    """Cases open past their deadline at the end of `today`; for a `past` day, by the cases'
    recorded opening and closing dates (the current count uses the open cases' index)."""
    low, high = scope_bounds(area)
    group = group_code(Case.area_code, depth).label("group_code")
    still_open = (
        and_(Case.opened_on <= today, or_(Case.closed_on.is_(None), Case.closed_on > today))
        if past
        else Case.closed_on.is_(None)
    )
    query = (
        select(group, func.count())
        .where(Case.area_code.between(low, high), still_open, Case.deadline_on < today)
        .group_by(group)
    )
    return [(code, int(count)) for code, count in (await session.execute(query)).all()]
