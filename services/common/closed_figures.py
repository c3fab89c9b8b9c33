"""Closed days (结转) of the dated village figures (monitoring and employment).

The value of a figure as of a day is the sum of its village deltas up to that day
(`area_figure_days`, migrations/figure_days_v1.py). For a province that is every village's every
changed day since the start, several million rows a year. A writer dates its change by the
start of its transaction, so a past day's deltas are final once no transaction that began on it
is running. The service then closes that day (`close_days`, run beside the county folds): it
adds the day's deltas, summed per county, to `county_figure_days`, and each month whose days
are all closed, summed per county, to `county_figure_months` (migrations/closed_figure_days_v1.py).

`dated_deltas` reads a day D at county level or above from three parts that never overlap, T
being the last closed day and C the earlier of D and T:
- the county months that end on or before C;
- the county days of C's month up to C (none when C ends its month);
- the village days after T up to D (none when D <= T), through the index on `day`.
Below a county, or while no day is closed, it reads the village days up to D, as before.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Date,
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

from services.common.areas import scope_bounds, significant_prefix
from services.common.county_figures import COUNTY_DEPTH, group_code
from services.common.database import Database

# The tables as monitoring and employment both have them. `area_figure_days` (what one figure
# of one village changed by on one business day) is written only by the trigger on
# `area_figures` (migrations/figure_days_v1.py), the others only by `close_days`. A delta is
# BIGINT in monitoring and NUMERIC in employment (counts and yuan), read as the driver gives it.
_KEYS = (column("year", SmallInteger), column("metric", String))
AREA_DAYS = table(
    "area_figure_days",
    column("area_code", String),
    *_KEYS,
    column("day", Date),
    column("delta"),
)
COUNTY_DAYS = table(
    "county_figure_days",
    column("county_code", String),
    *(column(key.name, key.type) for key in _KEYS),
    column("day", Date),
    column("delta"),
)
COUNTY_MONTHS = table(
    "county_figure_months",
    column("county_code", String),
    *(column(key.name, key.type) for key in _KEYS),
    column("month", Date),
    column("delta"),
)
CLOSED = table("figure_days_closed", column("through", Date))

_ZONE = "Asia/Shanghai"  # the writers' business day, as in migrations/figure_days_v1.py
_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('figure_days_closing'))"
# The last day no writer can still add to: two days back at most, and before the first day of
# any transaction still running in this database (its writes are dated by its start).
_CLOSABLE = f"""
SELECT least(
    coalesce(:today, (now() AT TIME ZONE '{_ZONE}')::date) - 2,
    (SELECT min((xact_start AT TIME ZONE '{_ZONE}')::date) - 1
     FROM pg_stat_activity
     WHERE datname = current_database() AND backend_type = 'client backend'
       AND pid <> pg_backend_pid())
)
"""
_CLOSE_DAYS = """
INSERT INTO county_figure_days (county_code, year, metric, day, delta)
SELECT rpad(left(area_code, 6), 12, '0'), year, metric, day, sum(delta)
FROM area_figure_days WHERE day > :after AND day <= :until
GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0
"""
_CLOSE_MONTHS = """
INSERT INTO county_figure_months (county_code, year, metric, month, delta)
SELECT county_code, year, metric, date_trunc('month', day)::date, sum(delta)
FROM county_figure_days WHERE day >= :first AND day < :following
GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0
"""
_MARK = """
INSERT INTO figure_days_closed (through) VALUES (:until)
ON CONFLICT (one) DO UPDATE SET through = excluded.through
"""


def first_open_month(closed: date) -> date:
    """The first day of the first month not wholly on or before `closed`."""
    return (closed + timedelta(days=1)).replace(day=1)


async def close_days(database: Database, *, today: date | None = None) -> date | None:
    """Close every day no running transaction can still write; answers the last closed day
    (None: none yet, or another closing is running). `today`: the database's business day
    unless given (tests close a history in steps)."""
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
        after = through or date.min
        await session.execute(text(_CLOSE_DAYS), {"after": after, "until": until})
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


def dated_deltas(
    low: str, high: str, years: list[int], as_of: date, through: date | None, counties: bool
) -> Any:
    """A subquery of (code, year, metric, day, delta) under `low`..`high`, for the `years`, whose
    sum is each figure as of the end of `as_of`: the parts above when `counties` (the answer is
    at county level or above) and a day is closed. `code` is a village's or a county's; `day`
    is a day, or a month's first day for a closed month."""
    closed = min(as_of, through) if counties and through is not None else None
    village = select(
        AREA_DAYS.c.area_code.label("code"),
        AREA_DAYS.c.year,
        AREA_DAYS.c.metric,
        AREA_DAYS.c.day,
        AREA_DAYS.c.delta,
    ).where(
        AREA_DAYS.c.area_code.between(low, high),
        AREA_DAYS.c.year.in_(years),
        AREA_DAYS.c.day <= as_of,
    )
    if closed is None:
        return village.subquery("deltas")
    month = first_open_month(closed)
    parts = [
        select(
            COUNTY_MONTHS.c.county_code.label("code"),
            COUNTY_MONTHS.c.year,
            COUNTY_MONTHS.c.metric,
            COUNTY_MONTHS.c.month.label("day"),
            COUNTY_MONTHS.c.delta,
        ).where(
            COUNTY_MONTHS.c.county_code.between(low, high),
            COUNTY_MONTHS.c.year.in_(years),
            COUNTY_MONTHS.c.month < month,
        ),
        select(
            COUNTY_DAYS.c.county_code.label("code"),
            COUNTY_DAYS.c.year,
            COUNTY_DAYS.c.metric,
            COUNTY_DAYS.c.day,
            COUNTY_DAYS.c.delta,
        ).where(
            COUNTY_DAYS.c.county_code.between(low, high),
            COUNTY_DAYS.c.year.in_(years),
            COUNTY_DAYS.c.day >= month,
            COUNTY_DAYS.c.day <= closed,
        ),
    ]
    if as_of > closed:
        parts.append(village.where(AREA_DAYS.c.day > closed))
    first, *rest = parts
    return first.union_all(*rest).subquery("deltas")


async def sums_as_of(
    session: AsyncSession, area: str, depth: int, years: list[int], as_of: date
) -> list[tuple[str, str, Any]]:
    """(area code at `depth`, metric, value as of the end of `as_of`) of the figures of the
    `years` under `area`."""
    low, high = scope_bounds(area)
    through = await closed_through(session)
    deltas = dated_deltas(low, high, years, as_of, through, counties=depth <= COUNTY_DEPTH)
    group = group_code(deltas.c.code, depth).label("group_code")
    query = select(group, deltas.c.metric, func.sum(deltas.c.delta)).group_by(
        group, deltas.c.metric
    )
    return [tuple(row) for row in (await session.execute(query)).all()]


async def monthly_sums(
    session: AsyncSession, area: str, years: list[int], until: date
) -> list[tuple[int, date, str, Any]]:
    """(year, first day of the month, metric, sum of deltas) of the figures of the `years`
    under `area`, month by month up to the end of `until`."""
    low, high = scope_bounds(area)
    through = await closed_through(session)
    counties = len(significant_prefix(area)) <= COUNTY_DEPTH
    deltas = dated_deltas(low, high, years, until, through, counties=counties)
    month = cast(func.date_trunc("month", deltas.c.day), Date).label("month")
    query = select(deltas.c.year, month, deltas.c.metric, func.sum(deltas.c.delta)).group_by(
        deltas.c.year, month, deltas.c.metric
    )
    return [tuple(row) for row in (await session.execute(query)).all()]
