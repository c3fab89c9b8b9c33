"""Reading figures: sums of the stored county slots over code prefixes, current or as of a day
(the sums of their dated deltas)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import scope_bounds
from services.common.county_figures import group_code
from services.common.dated_figures import MonthlyDelta
from services.funds.figures.rollups import ALL_YEARS
from services.funds.models import FundFigure, FundFigureDay


async def stored_figures(
    session: AsyncSession, area: str, depth: int, year: int, as_of: date | None = None
) -> list[tuple[str, str, Decimal]]:
    """(area code at the level, metric, value) for the year's and all-time figures under
    `area`: current, or as of the end of the day `as_of`."""
    if as_of is not None:
        return await _dated_figures(session, area, depth, year, as_of)
    group = group_code(FundFigure.county_code, depth).label("group_code")
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


async def _dated_figures(
    session: AsyncSession, area: str, depth: int, year: int, as_of: date
) -> list[tuple[str, str, Decimal]]:
    group = group_code(FundFigureDay.county_code, depth).label("group_code")
    query = (
        select(group, FundFigureDay.metric, func.sum(FundFigureDay.delta))
        .where(
            FundFigureDay.county_code.between(*scope_bounds(area)),
            FundFigureDay.year.in_([ALL_YEARS, year]),
            FundFigureDay.day <= as_of,
        )
        .group_by(group, FundFigureDay.metric)
    )
    return [
        (code, metric, Decimal(value))
        for code, metric, value in (await session.execute(query)).all()
    ]


async def monthly_deltas(
    session: AsyncSession, area: str, years: list[int], until: date
) -> list[MonthlyDelta]:
    """(year, first day of the month, metric, sum of deltas) under `area` up to `until`, for
    all-time figures and the given years'."""
    month = cast(func.date_trunc("month", FundFigureDay.day), Date).label("month")
    query = (
        select(FundFigureDay.year, month, FundFigureDay.metric, func.sum(FundFigureDay.delta))
        .where(
            FundFigureDay.county_code.between(*scope_bounds(area)),
            FundFigureDay.year.in_([ALL_YEARS, *years]),
            FundFigureDay.day <= until,
        )
        .group_by(FundFigureDay.year, month, FundFigureDay.metric)
    )
    return [
        (year, first, metric, Decimal(value))
        for year, first, metric, value in (await session.execute(query)).all()
    ]
