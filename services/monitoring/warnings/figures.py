"""The warnings' share of the per-area figures, kept in the same transaction as each change.

One officer action moves one area's counters through `rollups.bump`; a feed chunk raises
warnings in hundreds of villages at once, so it adds all its deltas in one statement (the
same upsert as `bump`, over many areas, rows in a fixed order so writers never lock
crosswise).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.driver import driver_connection
from services.monitoring.figures import rollups

OPEN = {"warning": rollups.DEPARTMENT_WARNINGS_OPEN, "lead": rollups.DEPARTMENT_LEADS_OPEN}
RAISED = {"warning": rollups.DEPARTMENT_WARNINGS_RAISED, "lead": rollups.DEPARTMENT_LEADS_RAISED}
CONVERTED = {
    "warning": rollups.DEPARTMENT_WARNINGS_CONVERTED,
    "lead": rollups.DEPARTMENT_LEADS_CONVERTED,
}

BUMP_MANY = """
INSERT INTO area_figures (area_code, year, metric, value)
SELECT * FROM unnest($1::text[], $2::smallint[], $3::text[], $4::bigint[])
ON CONFLICT (area_code, year, metric) DO UPDATE SET value = area_figures.value + EXCLUDED.value
"""


async def bump_many(session: AsyncSession, deltas: Mapping[tuple[str, int, str], int]) -> None:
    """Add each `(area_code, year, metric) -> delta` (year 0: all years)."""
    rows = sorted((key, delta) for key, delta in deltas.items() if delta)
    if not rows:
        return
    driver = await driver_connection(session)
    await driver.execute(
        BUMP_MANY,
        [area for (area, _, _), _ in rows],
        [year for (_, year, _), _ in rows],
        [metric for (_, _, metric), _ in rows],
        [delta for _, delta in rows],
    )


def raised(kind: str, areas: Counter[str], year: int) -> Counter[tuple[str, int, str]]:
    """The deltas of new warnings (or leads) by area: open now, and raised this year."""
    deltas: Counter[tuple[str, int, str]] = Counter()
    for area, count in areas.items():
        deltas[(area, rollups.ALL_YEARS, OPEN[kind])] += count
        deltas[(area, year, RAISED[kind])] += count
    return deltas
