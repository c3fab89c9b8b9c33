"""Closed days (结转): past days' deltas (per village in monitoring and employment, per county
slot in funds) summed per county and month, so that a past day at county level or above reads
the county rows; every answer stays what the service's own deltas say, whatever has been closed
so far (services/common/closed_figures.py)."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.expression import TableClause

from services.common.areas import significant_prefix
from services.common.business_time import business_today
from services.common.closed_figures import (
    FUND_DAYS,
    VILLAGE_DAYS,
    close_days,
    first_open_month,
    monthly_sums,
    sums_as_of,
)
from services.common.county_figures import CountyFigureFolder
from services.common.database import Database
from services.common.settings import CommonSettings

VILLAGES = [
    "411424100201",
    "411424100202",
    "411424101201",
    "411425100201",
    "411502100201",
    "421101100201",
]
COUNTIES = ["411424000000", "411425000000", "411502000000", "421101000000"]
# Each service's deltas: its table, the codes it keeps them by, and the slots (funds: a county's
# figure is spread over slots by writer).
SOURCES = {
    "monitoring": (VILLAGE_DAYS, VILLAGES, (None,)),
    "funds": (FUND_DAYS, COUNTIES, (1, 7)),
}
Row = tuple[str, int | None, int, str, date, int]  # code, slot, year, metric, day, delta
METRICS = ["households", "people", "measures"]
YEARS = [0, 2026]
PROVINCE, COUNTY, TOWNSHIP = "410000000000", "411424000000", "411424100000"
DEPTHS = {PROVINCE: 6, COUNTY: 9, TOWNSHIP: 12}  # the answer's level under each area


def history(
    first: date, last: date, codes: list[str] = VILLAGES, slots: tuple[int | None, ...] = (None,)
) -> list[Row]:
    """Deltas on about a third of the days from `first` to `last`, some negative."""
    rows = []
    chance = random.Random(20261123)
    day = first
    while day <= last:
        for code in codes:
            for slot in slots:
                for year in YEARS:
                    for metric in METRICS:
                        if chance.random() < 0.3:
                            rows.append((code, slot, year, metric, day, chance.randint(-3, 9)))
        day += timedelta(days=1)
    return rows


def expected_as_of(rows: list, area: str, depth: int, day: date) -> dict[tuple[str, str], int]:
    prefix = significant_prefix(area)
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for code, _, _, metric, when, delta in rows:
        if code.startswith(prefix) and when <= day:
            sums[(code[:depth].ljust(12, "0"), metric)] += delta
    return {key: value for key, value in sums.items() if value}


def expected_months(rows: list, area: str, until: date) -> dict[tuple[int, date, str], int]:
    prefix = significant_prefix(area)
    sums: dict[tuple[int, date, str], int] = defaultdict(int)
    for code, _, year, metric, when, delta in rows:
        if code.startswith(prefix) and when <= until:
            sums[(year, when.replace(day=1), metric)] += delta
    return {key: value for key, value in sums.items() if value}


async def answers_agree(
    database: Database, source: TableClause, rows: list[Row], days: list[date]
) -> None:
    async with database.sessionmaker() as session:
        for area, depth in DEPTHS.items():
            for day in days:
                read = await sums_as_of(session, source, area, depth, YEARS, day)
                got = {(code, metric): int(value) for code, metric, value in read if value}
                assert got == expected_as_of(rows, area, depth, day), (area, day)
            until = days[-1]
            read_months = await monthly_sums(session, source, area, YEARS, until)
            got_months = {(y, m, metric): int(v) for y, m, metric, v in read_months if v}
            assert got_months == expected_months(rows, area, until), area


async def stored(engine: AsyncEngine, table: str, column: str) -> list[date]:
    async with engine.connect() as connection:
        rows = await connection.execute(text(f"SELECT DISTINCT {column} FROM {table} ORDER BY 1"))
        return [row[0] for row in rows]


async def write_history(
    engine: AsyncEngine, rows: list[Row], source: TableClause = VILLAGE_DAYS
) -> None:
    columns = [next(iter(source.c)).name, "year", "metric", "day", "delta"]
    if source is FUND_DAYS:
        columns.append("slot")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                f"INSERT INTO {source.name} ({', '.join(columns)}) VALUES (:{', :'.join(columns)})"
            ),
            [
                dict(zip(columns, (code, year, metric, day, delta, slot), strict=False))
                for code, slot, year, metric, day, delta in rows
            ],
        )


async def seeded(
    engines: dict[str, AsyncEngine], service: str, first: date, last: date
) -> tuple[TableClause, AsyncEngine, list[Row]]:
    """The service's table of deltas, its engine, and the history written into it."""
    source, codes, slots = SOURCES[service]
    rows = history(first, last, codes, slots)
    await write_history(engines[service], rows, source)
    return source, engines[service], rows


@pytest.mark.parametrize("service", sorted(SOURCES))
async def test_every_past_day_reads_the_same_however_far_the_days_are_closed(
    committing_apps: dict[str, FastAPI], engines: dict[str, AsyncEngine], service: str
) -> None:
    today = business_today()
    first, last = today - timedelta(days=100), today - timedelta(days=5)
    source, engine, rows = await seeded(engines, service, first, last)
    database = Database(engine)
    days = [first + timedelta(days=n) for n in range(-1, (last - first).days + 2)]

    await answers_agree(database, source, rows, days)  # nothing closed: the deltas alone

    # Closed through a month's middle, later in that month, the next month's last day, then
    # the whole history.
    mid_month = (first + timedelta(days=20)).replace(day=15)
    next_month_end = (mid_month.replace(day=1) + timedelta(days=62)).replace(day=1) - timedelta(
        days=1
    )
    for through in (mid_month, mid_month + timedelta(days=3), next_month_end, last):
        assert await close_days(database, source, today=through + timedelta(days=2)) == through
        # Closing again changes nothing.
        assert await close_days(database, source, today=through + timedelta(days=2)) == through
        closed_days = await stored(engine, "county_figure_days", "day")
        assert closed_days and max(closed_days) <= through
        months = await stored(engine, "county_figure_months", "month")
        assert months and max(months) < first_open_month(through)  # whole months only
        await answers_agree(database, source, rows, days)


@pytest.mark.parametrize("service", sorted(SOURCES))
async def test_deltas_that_arrive_after_their_day_was_closed_count_within_a_week(
    committing_apps: dict[str, FastAPI], engines: dict[str, AsyncEngine], service: str
) -> None:
    month_end = (business_today() - timedelta(days=10)).replace(day=1) - timedelta(days=1)
    first, last = month_end - timedelta(days=30), month_end + timedelta(days=5)
    source, engine, rows = await seeded(engines, service, first, last)
    _, codes, slots = SOURCES[service]
    database = Database(engine)
    days = [month_end + timedelta(days=n) for n in range(-32, 8)]
    assert await close_days(database, source, today=month_end + timedelta(days=2)) == month_end

    # A transaction that began on a closed day commits after it was closed: its deltas land
    # on that day, in a closed month and in an open one.
    late = [
        (codes[0], slots[0], 0, "late", month_end - timedelta(days=1), 5),
        (codes[-1], slots[-1], 2026, "late", month_end, -2),
    ]
    await write_history(engine, late, source)
    assert await close_days(database, source, today=month_end + timedelta(days=4)) == (
        month_end + timedelta(days=2)
    )
    await answers_agree(database, source, rows + late, days)

    later = [(codes[0], slots[0], 0, "late", month_end + timedelta(days=1), 7)]
    await write_history(engine, later, source)
    assert await close_days(database, source, today=month_end + timedelta(days=5)) == (
        month_end + timedelta(days=3)
    )
    await answers_agree(database, source, rows + late + later, days)


@asynccontextmanager
async def as_owner(settings: CommonSettings) -> AsyncIterator[Database]:
    """The monitoring database as its owner (not the application role)."""
    owner = Database.connect(settings.service_database_url("monitoring"), role=None, pool_size=1)
    try:
        yield owner
    finally:
        await owner.dispose()


async def test_a_day_a_running_transaction_began_on_is_not_closed(
    committing_apps: dict[str, FastAPI], engines: dict[str, AsyncEngine]
) -> None:
    engine = engines["monitoring"]
    today = business_today()
    # The closer runs as the application role, as in the service: it learns when the other
    # session's transaction began although PostgreSQL shows that only to the login role's rights.
    async with engine.connect() as writer:
        await writer.begin()
        await writer.execute(text("SELECT 1"))
        # Asked as if days had passed: the writer's transaction, begun today, still holds
        # today back (it would date its changes today).
        closed = await close_days(Database(engine), today=today + timedelta(days=10))
        assert closed == today - timedelta(days=1)
        await writer.rollback()
    # Once it has ended, the days up to the (pretended) day before yesterday close.
    closed = await close_days(Database(engine), today=today + timedelta(days=10))
    assert closed == today + timedelta(days=8)


async def test_truncating_the_figures_reopens_every_day(
    committing_apps: dict[str, FastAPI],
    engines: dict[str, AsyncEngine],
    settings: CommonSettings,
) -> None:
    engine = engines["monitoring"]
    today = business_today()
    await write_history(engine, history(today - timedelta(days=40), today - timedelta(days=3)))
    assert await close_days(Database(engine)) == today - timedelta(days=2)
    assert await stored(engine, "county_figure_months", "month")
    async with as_owner(settings) as owner, owner.sessionmaker() as session:
        await session.execute(text("TRUNCATE area_figures"))
        await session.commit()
    for table in ("figure_days_closed", "county_figure_days", "county_figure_months"):
        async with engine.connect() as connection:
            assert (await connection.scalar(text(f"SELECT count(*) FROM {table}"))) == 0


async def test_the_folder_closes_days_and_a_failing_chore_stops_no_other(
    committing_apps: dict[str, FastAPI], engines: dict[str, AsyncEngine]
) -> None:
    engine = engines["monitoring"]
    database = Database(engine)
    today = business_today()
    await write_history(engine, history(today - timedelta(days=9), today - timedelta(days=3)))
    ran: list[str] = []

    async def failing(_: Database) -> None:
        ran.append("failing")
        raise RuntimeError("a chore that fails")

    async def closing(db: Database) -> None:
        ran.append("closing")
        await close_days(db)

    folder = CountyFigureFolder(database, 0.01, "county_figures", (failing, closing))
    folder.start()
    try:
        for _ in range(500):
            if ran.count("closing") >= 2:
                break
            await asyncio.sleep(0.01)
    finally:
        await folder.stop()
    assert ran.count("closing") >= 2  # it ran again after the failure before it
    assert await stored(engine, "figure_days_closed", "through") == [today - timedelta(days=2)]
