"""Closed days (结转) of the dated figures.

The value of a figure as of a day is the sum of its deltas up to that day (migrations/
figure_days_v1.py): in monitoring and employment one row per village, figure and changed day
(`area_figure_days`), in funds one per county, slot, figure and changed day
(`fund_figure_days`). For a province that is every village's (or slot's) every changed day
since the start, millions of rows a year. A writer dates its change by the start of its
transaction, so a past day's deltas are final once no transaction that began on it is running.
The service then closes that day (`close_days`, run beside the county folds): it adds the
day's deltas, summed per county, to `county_figure_days`, and each month whose days are all
closed, summed per county, to `county_figure_months` (migrations/closed_figure_days_v1.py).

`dated_deltas` reads a day D at county level or above from three parts that never overlap, T
being the last closed day and C the earlier of D and T:
- the county months that end on or before C;
- the county days of C's month up to C (none when C ends its month);
- the service's own deltas after T up to D (none when D <= T), through the index on `day`.
Below a county, or while no day is closed, it reads the service's own deltas up to D.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    SmallInteger,
    String,
    bindparam,
    cast,
    column,
    func,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import TableClause

from services.common.areas import scope_bounds, significant_prefix
from services.common.county_figures import COUNTY_DEPTH, group_code
from services.common.database import Database


def _dated(name: str, code: str, day: str = "day") -> TableClause:
    """A table of dated deltas as (code, year, metric, day, delta), in that order. A delta is
    BIGINT in monitoring, NUMERIC in employment and funds, read as the driver gives it."""
    return table(
        name,
        column(code, String),
        column("year", SmallInteger),
        column("metric", String),
        column(day, Date),
        column("delta"),
    )


# Written only by the triggers on the figures (migrations/figure_days_v1.py, figure_rollup_v1.py).
VILLAGE_DAYS = _dated("area_figure_days", "area_code")  # monitoring, employment
FUND_DAYS = _dated("fund_figure_days", "county_code")  # funds (its slot column is summed away)
# Written only by `close_days`.
COUNTY_DAYS = _dated("county_figure_days", "county_code")
COUNTY_MONTHS = _dated("county_figure_months", "county_code", "month")
CLOSED = table("figure_days_closed", column("through", Date))

_ZONE = "Asia/Shanghai"  # the writers' business day, as in migrations/figure_days_v1.py
_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('figure_days_closing'))"
# The last day no writer can still add to: two days back at most, and before the first day of
# any transaction still running in this database (its writes are dated by its start). The
# function sees the sessions of the owner every app logs in as (migrations/
# running_transactions_v1.py); the re-check of recent days covers any other.
_CLOSABLE = f"""
SELECT least(
    coalesce(:today, (now() AT TIME ZONE '{_ZONE}')::date) - 2,
    (oldest_transaction_start() AT TIME ZONE '{_ZONE}')::date - 1
)
"""
_CLOSE_DAYS = """
INSERT INTO county_figure_days (county_code, year, metric, day, delta)
SELECT rpad(left({code}, 6), 12, '0'), year, metric, day, sum(delta)
FROM {days} WHERE day > :after AND day <= :until
GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0
"""
_CLOSE_MONTHS = """
INSERT INTO county_figure_months (county_code, year, metric, month, delta)
SELECT county_code, year, metric, date_trunc('month', day)::date, sum(delta)
FROM county_figure_days WHERE day >= :first AND day < :following
GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0
"""
# Late deltas: what the service's own rows of recently closed days now sum to per county, less
# what was closed for them (a transaction that began on such a day and committed after it was
# closed), added to the closed days and, for months already closed, to the months.
_RECHECK = """
WITH fresh AS (
    SELECT rpad(left({code}, 6), 12, '0') AS county_code, year, metric, day, sum(delta) AS delta
    FROM {days} WHERE day > :since AND day <= :through
    GROUP BY 1, 2, 3, 4
), kept AS (
    SELECT county_code, year, metric, day, delta FROM county_figure_days
    WHERE day > :since AND day <= :through
), late AS (
    SELECT county_code, year, metric, day, coalesce(f.delta, 0) - coalesce(k.delta, 0) AS delta
    FROM fresh AS f FULL JOIN kept AS k USING (county_code, year, metric, day)
    WHERE coalesce(f.delta, 0) <> coalesce(k.delta, 0)
), into_days AS (
    INSERT INTO county_figure_days AS d (county_code, year, metric, day, delta)
    SELECT county_code, year, metric, day, delta FROM late
    ON CONFLICT (day, county_code, year, metric) DO UPDATE SET delta = d.delta + excluded.delta
)
INSERT INTO county_figure_months AS m (county_code, year, metric, month, delta)
SELECT county_code, year, metric, date_trunc('month', day)::date, sum(delta) FROM late
WHERE day < :open_month
GROUP BY 1, 2, 3, 4
ON CONFLICT (month, county_code, year, metric) DO UPDATE SET delta = m.delta + excluded.delta
"""
RECHECKED_DAYS = 7
_MARK = """
INSERT INTO figure_days_closed (through) VALUES (:until)
ON CONFLICT (one) DO UPDATE SET through = excluded.through
"""


def first_open_month(closed: date) -> date:
    """The first day of the first month not wholly on or before `closed`."""
    return (closed + timedelta(days=1)).replace(day=1)


async def close_days(
    database: Database, days: TableClause = VILLAGE_DAYS, *, today: date | None = None
) -> date | None:
    """Close every day of `days` no running transaction can still write; answers the last
    closed day (None: none yet, or another closing is running). Before closing new days, it
    checks the last `RECHECKED_DAYS` closed ones again and adds what arrived late. `today`: the
    database's business day unless given (tests close a history in steps)."""
    async with database.sessionmaker() as session:
        if not await session.scalar(text(_LOCK)):
            return None
        through: date | None = await session.scalar(select(CLOSED.c.through))
        # Read before the deltas: a transaction not running now has committed, so the
        # statements below see its deltas.
        until: date = await session.scalar(
            text(_CLOSABLE).bindparams(bindparam("today", type_=Date)), {"today": today}
        )
        if through is not None and until <= through:
            return through
        code = next(iter(days.c)).name
        if through is not None:
            await session.execute(
                text(_RECHECK.format(code=code, days=days.name)),
                {
                    "since": through - timedelta(days=RECHECKED_DAYS),
                    "through": through,
                    "open_month": first_open_month(through),
                },
            )
        await session.execute(
            text(_CLOSE_DAYS.format(code=code, days=days.name)),
            {"after": through or date.min, "until": until},
        )
        first = first_open_month(through) if through is not None else date.min
        following = first_open_month(until)
        if first < following:
            await session.execute(text(_CLOSE_MONTHS), {"first": first, "following": following})
        await session.execute(text(_MARK), {"until": until})
        await session.commit()
        return until


async def closed_through(session: AsyncSession) -> date | None:
    """The last closed day (None: none yet)."""
    return await session.scalar(select(CLOSED.c.through))


def _rows(days: TableClause, low: str, high: str, years: list[int], *when: Any) -> Select[Any]:
    """(code, year, metric, day, delta) of `days` under `low`..`high`, of the `years`, `when`."""
    code, year, metric, day, delta = days.c
    return select(code.label("code"), year, metric, day.label("day"), delta).where(
        code.between(low, high), year.in_(years), *when
    )


def dated_deltas(
    days: TableClause,
    low: str,
    high: str,
    years: list[int],
    as_of: date,
    through: date | None,
    counties: bool,
) -> Any:
    """A subquery of (code, year, metric, day, delta) under `low`..`high`, for the `years`, whose
    sum is each figure as of the end of `as_of`: the parts above when `counties` (the answer is
    at county level or above) and a day is closed, else the rows of `days` alone. `code` is
    the code `days` is kept by or a county's; `day` is a day, or a month's first day."""
    closed = min(as_of, through) if counties and through is not None else None
    if closed is None:
        return _rows(days, low, high, years, days.c.day <= as_of).subquery("deltas")
    month = first_open_month(closed)
    parts = [
        _rows(COUNTY_MONTHS, low, high, years, COUNTY_MONTHS.c.month < month),
        _rows(COUNTY_DAYS, low, high, years, COUNTY_DAYS.c.day.between(month, closed)),
    ]
    if as_of > closed:
        parts.append(_rows(days, low, high, years, days.c.day > closed, days.c.day <= as_of))
    first, *rest = parts
    return first.union_all(*rest).subquery("deltas")


async def sums_as_of(
    session: AsyncSession,
    days: TableClause,
    area: str,
    depth: int,
    years: list[int],
    as_of: date,
) -> list[tuple[str, str, Any]]:
    """(area code at `depth`, metric, value as of the end of `as_of`) of the figures of the
    `years` under `area`."""
    low, high = scope_bounds(area)
    through = await closed_through(session)
    deltas = dated_deltas(days, low, high, years, as_of, through, counties=depth <= COUNTY_DEPTH)
    group = group_code(deltas.c.code, depth).label("group_code")
    query = select(group, deltas.c.metric, func.sum(deltas.c.delta)).group_by(
        group, deltas.c.metric
    )
    return [tuple(row) for row in (await session.execute(query)).all()]


async def monthly_sums(
    session: AsyncSession, days: TableClause, area: str, years: list[int], until: date
) -> list[tuple[int, date, str, Any]]:
    """(year, first day of the month, metric, sum of deltas) of the figures of the `years`
    under `area`, month by month up to the end of `until`."""
    low, high = scope_bounds(area)
    through = await closed_through(session)
    counties = len(significant_prefix(area)) <= COUNTY_DEPTH
    deltas = dated_deltas(days, low, high, years, until, through, counties=counties)
    month = cast(func.date_trunc("month", deltas.c.day), Date).label("month")
    query = select(deltas.c.year, month, deltas.c.metric, func.sum(deltas.c.delta)).group_by(
        deltas.c.year, month, deltas.c.metric
    )
    return [tuple(row) for row in (await session.execute(query)).all()]
