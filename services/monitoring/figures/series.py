"""One area's figures month by month (按月统计): the stored figures at each month's end from
their dated deltas, and the overdue cases at that day from the cases' recorded dates."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import AREA_LEVEL_DEPTH, level_of
from services.common.dated_figures import Month, month_end_values
from services.monitoring.figures import repository


class MonthFigures(BaseModel):
    month: str
    as_of: date
    figures: dict[str, int]


async def series_of(session: AsyncSession, area: str, months: list[Month]) -> list[MonthFigures]:
    years = sorted({month.as_of.year for month in months})
    deltas = await repository.monthly_deltas(session, area, years, months[-1].as_of)
    depth = AREA_LEVEL_DEPTH[level_of(area)]
    answer = []
    for month, stored in zip(months, month_end_values(deltas, months), strict=True):
        figures = {metric: int(value) for metric, value in sorted(stored.items())}
        overdue = await repository.overdue_cases(session, area, depth, month.as_of, past=True)
        figures["overdue_cases"] = sum(count for _, count in overdue)
        answer.append(MonthFigures(month=month.label, as_of=month.as_of, figures=figures))
    return answer
