"""One area's employment and microcredit figures month by month (按月统计): the stored figures
at each month's end from their dated deltas, the workers of workshops and posts on that day,
labourers carried on a job open since an earlier year (today's rows), and overdue loans for the
current month only (reading.CURRENT_ONLY)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import AREA_LEVEL_DEPTH, level_of
from services.common.business_time import business_today
from services.common.dated_figures import Month, month_end_values
from services.employment.figures import repository
from services.employment.figures import rollups as f
from services.employment.figures.reading import CURRENT_ONLY, AreaFigures
from services.employment.settings import EmploymentSettings


async def series_of(
    session: AsyncSession, settings: EmploymentSettings, area: str, months: list[Month]
) -> list[tuple[Month, AreaFigures, list[str]]]:
    """(month, the area's figures at its end, the metrics left out as current-only)."""
    depth = AREA_LEVEL_DEPTH[level_of(area)]
    years = sorted({month.as_of.year for month in months})
    deltas = await repository.monthly_deltas(session, area, years, months[-1].as_of)
    carried = {
        year: await repository.carried_open_jobs(session, area, depth, year) for year in years
    }
    today = business_today()
    answer = []
    for month, stored in zip(months, month_end_values(deltas, months), strict=True):
        figures = AreaFigures(area, defaultdict(Decimal, stored))
        values = figures.values
        for _, place, count in carried[month.as_of.year]:
            values[f.EMPLOYED] += count
            values[f.by(f.EMPLOYED, place)] += count
        day = month.as_of
        for _, workers, exited in await repository.workshop_workers(session, area, depth, day):
            values[f.WORKSHOP_WORKERS] += workers
            values[f.WORKSHOP_EXITED_POVERTY_WORKERS] += exited
            if exited >= settings.workshop_min_exited_poverty_workers:
                values[f.WORKSHOPS_QUALIFYING] += 1
        for _, holders in await repository.post_holders(session, area, depth, day):
            values[f.POST_HOLDERS] += holders
        left_out: list[str] = list(CURRENT_ONLY)
        if day == today:
            for _, count, amount in await repository.overdue_loans(session, area, depth, day):
                values[f.LOANS_OVERDUE] += count
                values[f.OVERDUE_AMOUNT] += amount
            left_out = []
        answer.append((month, figures, left_out))
    return answer
