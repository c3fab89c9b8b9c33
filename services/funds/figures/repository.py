"""Reading figures: sums of the stored county slots over code prefixes, current or as of a day
(the sums of their dated deltas)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import closed_figures
from services.common.areas import scope_bounds
from services.common.closed_figures import FUND_DAYS, monthly_sums, sums_as_of
from services.common.county_figures import group_code
from services.common.database import Database
from services.common.dated_figures import MonthlyDelta
from services.funds.figures.rollups import ALL_YEARS
from services.funds.models import FundFigure


async def stored_figures(
    session: AsyncSession, area: str, depth: int, year: int, as_of: date | None = None
) -> list[tuple[str, str, Decimal]]:
    """(area code at the level, metric, value) for the year's and all-time figures under
    `area`: current, or as of the end of the day `as_of`."""
    if as_of is not None:
        dated = await sums_as_of(session, FUND_DAYS, area, depth, [ALL_YEARS, year], as_of)
        return [(code, metric, Decimal(value)) for code, metric, value in dated]
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


async def monthly_deltas(
    session: AsyncSession, area: str, years: list[int], until: date
) -> list[MonthlyDelta]:
    """(year, first day of the month, metric, sum of deltas) under `area` up to `until`, for
    all-time figures and the given years'."""
    deltas = await monthly_sums(session, FUND_DAYS, area, [ALL_YEARS, *years], until)
    return [(year, first, metric, Decimal(value)) for year, first, metric, value in deltas]


async def close_days(database: Database) -> date | None:
    """Close the past days of the funds' dated figures (services/common/closed_figures.py)."""
    return await closed_figures.close_days(database, FUND_DAYS)
