"""Keeping per-village figures exact in the same transaction as each write.

A write that changes a figure calls `bump` with the village and the signed delta; the row is
upserted and incremented in place, so concurrent writers only serialize on the one village row
they touch. Counties, cities and provinces are sums over code ranges at read time. Figures that
depend on the clock (overdue cases and plans) are not stored: they are counted at read time
from indexed deadlines, so they are exact at any moment without a nightly job.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import BigInteger, SmallInteger, String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

ALL_YEARS = 0

# Stored metrics. Per-category metrics are `<metric>:<category code>`.
HOUSEHOLDS = "households"
PEOPLE = "people"
EXITED_POVERTY_HOUSEHOLDS = "exited_poverty_households"
EXITED_POVERTY_PEOPLE = "exited_poverty_people"
MONITORED_HOUSEHOLDS = "monitored_households"
MONITORED_PEOPLE = "monitored_people"
MONITORED_NOT_EXITED_HOUSEHOLDS = "monitored_not_exited_households"
ELIMINATED_HOUSEHOLDS = "eliminated_households"
ELIMINATED_PEOPLE = "eliminated_people"
NEWLY_IDENTIFIED_HOUSEHOLDS = "newly_identified_households"  # per year
NEWLY_IDENTIFIED_PEOPLE = "newly_identified_people"  # per year
MEASURES = "measures"  # policies enjoyed (享受政策)
HOUSEHOLDS_WITH_MEASURES = "households_with_measures"

# Department warnings (行业部门预警), by the village of the household, or for leads (线索) by
# the most precise area the department named. "Open" counts warnings not yet dismissed or
# turned into a case (acknowledged ones included); raised counts are per year.
DEPARTMENT_WARNINGS_OPEN = "department_warnings_open"
DEPARTMENT_WARNINGS_RAISED = "department_warnings_raised"  # per year
DEPARTMENT_WARNINGS_CONVERTED = "department_warnings_converted"
DEPARTMENT_LEADS_OPEN = "department_leads_open"
DEPARTMENT_LEADS_RAISED = "department_leads_raised"  # per year
DEPARTMENT_LEADS_CONVERTED = "department_leads_converted"


def by_category(metric: str, category: str) -> str:
    """The per-category variant of a metric, e.g. `monitored_households:marginal`."""
    return f"{metric}:{category}"


# One constant statement (compiled and prepared once per connection), the rows as arrays,
# upserted in the order given (sorted by `bump`, so row locks are always taken in one order).
_BUMP = text(
    """
INSERT INTO area_figures AS f (area_code, year, metric, value)
SELECT :area_code, :year, m, v FROM unnest(:metrics, :deltas) WITH ORDINALITY AS d(m, v, n)
ORDER BY n
ON CONFLICT (area_code, year, metric) DO UPDATE SET value = f.value + excluded.value
"""
).bindparams(
    bindparam("area_code", type_=String()),
    bindparam("year", type_=SmallInteger()),
    bindparam("metrics", type_=ARRAY(String())),
    bindparam("deltas", type_=ARRAY(BigInteger())),
)


# `bump` over many villages in one statement, the rows as arrays ($1 areas, $2 years, $3
# metrics, $4 deltas) upserted in the order given (sorted by the caller, as `bump` sorts).
BUMP_MANY = """
INSERT INTO area_figures (area_code, year, metric, value)
SELECT * FROM unnest($1::text[], $2::smallint[], $3::text[], $4::bigint[])
ON CONFLICT (area_code, year, metric) DO UPDATE SET value = area_figures.value + EXCLUDED.value
"""


async def bump(
    session: AsyncSession,
    area_code: str,
    changes: Iterable[tuple[str, int]],
    *,
    year: int = ALL_YEARS,
) -> None:
    """Add each `(metric, delta)` to the village's figures for `year`, in the caller's
    transaction."""
    totals: dict[str, int] = {}
    for metric, delta in changes:
        totals[metric] = totals.get(metric, 0) + delta
    # One row per metric, in a fixed order so that two writers never lock rows crosswise.
    rows = [(metric, delta) for metric, delta in sorted(totals.items()) if delta]
    if not rows:
        return
    await session.execute(
        _BUMP,
        {
            "area_code": area_code,
            "year": year,
            "metrics": [metric for metric, _ in rows],
            "deltas": [delta for _, delta in rows],
        },
    )
