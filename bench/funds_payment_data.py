"""The payments benchmark's data: 100 started projects with a link each, seeded over asyncpg
as the app would have kept them, and the check, after a run, that nothing was overspent."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import asyncpg

from bench.funds_columns import LINK_COLUMNS, PROJECT_COLUMNS
from bench.funds_setup import COUNTY, reset

PROJECTS = 100
REQUESTS = 1000
AMOUNT = Decimal("1234.56")
PER_LINK = REQUESTS // PROJECTS  # requests per link
LINK_HOLDS = AMOUNT * (PER_LINK - 1)  # so the last request of each link must be refused
YEAR = 2026
UPDATE = (
    "UPDATE fund_links SET paid = paid + $1, version = version + 1, updated_at = now() "
    "WHERE id = $2 AND paid + reversed + $1 <= amount RETURNING version"
)


async def seed(connection: asyncpg.Connection) -> list[uuid.UUID]:
    """One allocation, 100 started projects over 100 villages, one link each; the figures
    as the app would have kept them. The link ids."""
    await reset(connection)
    allocation = uuid.uuid4()
    total = LINK_HOLDS * PROJECTS
    await connection.execute(
        "INSERT INTO allocations (id, area_code, year, level, document_number, issued_on, amount,"
        " kind, reversed, linked, created_by, version) VALUES ($1, $2, $3, 'central', 'bench',"
        " $4, $5, 'original', 0, $5, 'bench', 1)",
        allocation,
        COUNTY,
        YEAR,
        _day(1, 10),
        total,
    )
    projects, links = [], []
    for n in range(PROJECTS):
        place = f"411424{101 + n // 10:03d}{201 + n % 10:03d}"
        project, link = uuid.uuid4(), uuid.uuid4()
        projects.append(
            (
                project,
                place,
                COUNTY,
                YEAR,
                f"项目{n}",
                "industry",
                "bench",
                _day(2, 1),
                _day(11, 30),
                LINK_HOLDS,
                10,
                30,
                "started",
                "bench",
                4,
            )
        )
        links.append(
            (
                link,
                allocation,
                project,
                place,
                COUNTY,
                YEAR,
                "industry",
                LINK_HOLDS,
                "original",
                _day(2, 10),
                Decimal(0),
                Decimal(0),
                "bench",
                1,
            )
        )
    await connection.copy_records_to_table(
        "projects",
        records=projects,
        columns=PROJECT_COLUMNS,
    )
    await connection.copy_records_to_table(
        "fund_links",
        records=links,
        columns=LINK_COLUMNS,
    )
    for metric in ("allocated", "allocated:central", "linked", "linked:industry"):
        await connection.execute(
            "INSERT INTO fund_figures VALUES ($1, $2, $3, 0, $4)", COUNTY, YEAR, metric, total
        )
    await connection.execute(
        "INSERT INTO fund_figures VALUES ($1, $2, 'projects:started', 0, $3)",
        COUNTY,
        YEAR,
        PROJECTS,
    )
    await connection.execute("VACUUM ANALYZE")
    return [link[0] for link in links]


def _day(month: int, day: int) -> date:
    return date(YEAR, month, day)


async def check(connection: asyncpg.Connection, mode: str) -> None:
    """No overspend, to the fen; the figures agree with the rows."""
    over = await connection.fetchval("SELECT count(*) FROM fund_links WHERE paid > amount")
    paid = await connection.fetchval("SELECT sum(paid) FROM fund_links")
    rows = await connection.fetchval("SELECT coalesce(sum(amount), 0) FROM payments")
    figure = await connection.fetchval(
        "SELECT coalesce(sum(value), 0) FROM fund_figures WHERE metric = 'paid'"
    )
    full = await connection.fetchval("SELECT count(*) FROM fund_links WHERE paid = amount")
    assert over == 0, f"{mode}: {over} links overspent"
    if not mode.startswith("asyncpg"):
        assert paid == rows == figure, (mode, paid, rows, figure)
    assert full == PROJECTS and paid == LINK_HOLDS * PROJECTS, (mode, full, paid)
    print(f"  {mode}: no overspend; every link paid exactly {LINK_HOLDS} (sum {paid})")
