"""The warnings' share of the per-area figures, kept in the same transaction as each change.

One officer action moves one area's counters through `rollups.bump`; a feed chunk raises
warnings in thousands of villages at once, so it notes each new warning or lead in a temporary
table of the chunk (`NEW_WARNINGS`, filled by the statement that inserts them) and adds them
all up in one statement (the same upsert as `bump`, over many areas, rows in a fixed order so
writers never lock crosswise): no per-warning row passes through Python.
"""

from __future__ import annotations

import asyncpg

from services.monitoring.figures import rollups

OPEN = {"warning": rollups.DEPARTMENT_WARNINGS_OPEN, "lead": rollups.DEPARTMENT_LEADS_OPEN}
RAISED = {"warning": rollups.DEPARTMENT_WARNINGS_RAISED, "lead": rollups.DEPARTMENT_LEADS_RAISED}
CONVERTED = {
    "warning": rollups.DEPARTMENT_WARNINGS_CONVERTED,
    "lead": rollups.DEPARTMENT_LEADS_CONVERTED,
}

# The new warnings and leads of a chunk, one row each (emptied at every commit).
NEW_WARNINGS = """
CREATE TEMPORARY TABLE IF NOT EXISTS feed_new_warnings (
    kind text NOT NULL, area_code text COLLATE "C" NOT NULL
) ON COMMIT DELETE ROWS
"""
# What a new warning (lead) adds: one to the open ones of all years and to those raised in the
# year ($1). Kinds and metrics are constants, written into the SQL.
_METRICS = ", ".join(
    f"('{kind}', {year}, '{metric}')"
    for kind in OPEN
    for year, metric in ((str(rollups.ALL_YEARS), OPEN[kind]), ("$1::smallint", RAISED[kind]))
)
BUMP_NEW = f"""
INSERT INTO area_figures (area_code, year, metric, value)
SELECT n.area_code, m.year, m.metric, count(*)
FROM pg_temp.feed_new_warnings n
JOIN (VALUES {_METRICS}) AS m (kind, year, metric) ON m.kind = n.kind
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
ON CONFLICT (area_code, year, metric) DO UPDATE SET value = area_figures.value + EXCLUDED.value
"""


async def bump_new(driver: asyncpg.Connection, year: int) -> None:
    """Add the chunk's new warnings and leads (`NEW_WARNINGS`) to their areas' figures."""
    await driver.execute(BUMP_NEW, year)
