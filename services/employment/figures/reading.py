"""Assembling the figures of areas at one level: stored sums plus the read-time counts, split
into counts, amounts (yuan) and the one ratio this service can compute alone.

As of a past day (按日统计) the stored sums are those at the end of that day and the workers of
workshops and posts are counted from the spells' dates on that day. Two parts are current-only:
overdue loans (an extension rewrites a loan's schedule, so the schedule of a past day is not
kept) are left out and named in `CURRENT_ONLY`; labourers carried on a job open since an
earlier year are counted from today's rows (see spells/yearly.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.money import to_cents
from services.employment.figures import repository
from services.employment.figures import rollups as f
from services.employment.settings import EmploymentSettings

COMPLETION_RATE = "employment_completion_rate"
CURRENT_ONLY = (f.LOANS_OVERDUE, f.OVERDUE_AMOUNT)


@dataclass
class AreaFigures:
    area_code: str
    values: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def counts(self) -> dict[str, int]:
        return {
            metric: int(value)
            for metric, value in sorted(self.values.items())
            if metric not in f.AMOUNTS and value
        }

    def amounts(self) -> dict[str, Decimal]:
        return {
            metric: to_cents(value)
            for metric, value in sorted(self.values.items())
            if metric in f.AMOUNTS and value
        }

    def ratios(self) -> dict[str, str]:
        """Employed labourers against the target, as a percentage with two decimals."""
        target = self.values.get(f.EMPLOYMENT_TARGET, Decimal(0))
        if target <= 0:
            return {}
        return {COMPLETION_RATE: percent(self.values.get(f.EMPLOYED, Decimal(0)), target)}


def percent(part: Decimal, whole: Decimal) -> str:
    return f"{to_cents(part * 100 / whole):.2f}"


async def figures_by_area(
    session: AsyncSession,
    settings: EmploymentSettings,
    *,
    area: str,
    depth: int,
    year: int,
    today: date,
    past: bool = False,
) -> list[AreaFigures]:
    """The figures of every area at `depth` under `area` that has any, in code order: current,
    or as of the end of `today` when it is a `past` day (without `CURRENT_ONLY`)."""
    rows: dict[str, AreaFigures] = {}

    def row(code: str) -> AreaFigures:
        return rows.setdefault(code, AreaFigures(code))

    as_of = today if past else None
    for code, metric, value in await repository.stored_figures(session, area, depth, year, as_of):
        row(code).values[metric] += value
    for code, place, count in await repository.carried_open_jobs(session, area, depth, year):
        row(code).values[f.EMPLOYED] += count
        row(code).values[f.by(f.EMPLOYED, place)] += count
    if not past:
        for code, count, amount in await repository.overdue_loans(session, area, depth, today):
            row(code).values[f.LOANS_OVERDUE] += count
            row(code).values[f.OVERDUE_AMOUNT] += amount
    for code, workers, exited in await repository.workshop_workers(session, area, depth, today):
        values = row(code).values
        values[f.WORKSHOP_WORKERS] += workers
        values[f.WORKSHOP_EXITED_POVERTY_WORKERS] += exited
        if exited >= settings.workshop_min_exited_poverty_workers:
            values[f.WORKSHOPS_QUALIFYING] += 1
    for code, holders in await repository.post_holders(session, area, depth, today):
        row(code).values[f.POST_HOLDERS] += holders
    return [rows[code] for code in sorted(rows)]
