"""Benchmark: a city's spending progress report (支出进度报表) over 20,000 projects and 300,000
payments, as JSON, CSV and XLSX, through the real app under uvicorn on a loopback port; the
median of several runs, beside the floor of the report's three aggregate queries issued directly
over asyncpg. Run: `.venv/bin/python -m bench.funds_report`."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import asyncpg
import httpx

from bench.funds_columns import LINK_COLUMNS, PROJECT_COLUMNS
from bench.funds_payments import free_port, wait_until_up
from bench.funds_setup import (
    CITY,
    funds_dsn,
    machine_facts,
    prepare,
    print_facts,
    reset,
    start_uvicorn,
    token,
)

YEAR = 2025
AS_OF = date(YEAR, 11, 15)
COUNTIES = tuple(
    f"{code}000000"
    for code in (
        "411402",
        "411403",
        "411421",
        "411422",
        "411423",
        "411424",
        "411425",
        "411426",
        "411481",
        "411482",
    )
)
PROJECTS_PER_COUNTY = 2_000
PAYMENTS_PER_PROJECT = 15
CATEGORIES = ("industry", "industry", "industry", "employment", "infrastructure", "other")
LEVELS = ("central", "provincial", "municipal", "county")


def _day(rng: random.Random) -> date:
    return date(YEAR, 1, 1) + timedelta(days=rng.randrange(0, 330))


async def seed(connection: asyncpg.Connection) -> int:
    """Allocations, started projects, one link each, 15 payments per link (1% refunded in
    part), running totals and the province's rules, as the app would have kept them (the
    figures table is not needed by the report and stays empty)."""
    await reset(connection)
    rng = random.Random(20251115)
    allocations, projects, links, payments = [], [], [], []
    for county in COUNTIES:
        per_level = []
        for level in LEVELS:
            allocation = uuid.uuid4()
            per_level.append(allocation)
            allocations.append(
                [
                    allocation,
                    county,
                    YEAR,
                    level,
                    f"{level}-{county}",
                    date(YEAR, 1, 5),
                    Decimal("30000000.00"),
                    Decimal(0),
                ]
            )
        for n in range(PROJECTS_PER_COUNTY):
            project, link = uuid.uuid4(), uuid.uuid4()
            place = f"{county[:6]}{101 + n // 100 % 20:03d}{201 + n % 100:03d}"
            category = rng.choice(CATEGORIES)
            projects.append(
                (
                    project,
                    place,
                    county,
                    YEAR,
                    f"项目{n}",
                    category,
                    "bench",
                    date(YEAR, 2, 1),
                    date(YEAR, 12, 1),
                    Decimal("50000.00"),
                    5,
                    15,
                    "started",
                    "bench",
                    4,
                )
            )
            allocation = per_level[n % 4]
            amounts = [
                Decimal(rng.randrange(10_000, 300_000)) / 100 for _ in range(PAYMENTS_PER_PROJECT)
            ]
            link_amount = sum(amounts, Decimal(0)) + Decimal("1000.00")
            allocations[-4 + n % 4][7] += link_amount
            paid = Decimal(0)
            for amount in amounts:
                payment = uuid.uuid4()
                payments.append(
                    (
                        payment,
                        link,
                        project,
                        place,
                        county,
                        YEAR,
                        amount,
                        "original",
                        None,
                        f"记-{payment.hex[:8]}",
                        _day(rng),
                        Decimal(0),
                        "bench",
                        1,
                    )
                )
                paid += amount
            if rng.random() < 0.01:
                refunded = payments[-1]
                payments[-1] = (*refunded[:11], Decimal("1.00"), *refunded[12:])
                payments.append(
                    (
                        uuid.uuid4(),
                        link,
                        project,
                        place,
                        county,
                        YEAR,
                        Decimal("1.00"),
                        "reversal",
                        refunded[0],
                        "收-1",
                        refunded[10],
                        Decimal(0),
                        "bench",
                        1,
                    )
                )
                paid -= Decimal("1.00")
            links.append(
                (
                    link,
                    allocation,
                    project,
                    place,
                    county,
                    YEAR,
                    category,
                    link_amount,
                    "original",
                    date(YEAR, 1, 20),
                    Decimal(0),
                    paid,
                    "bench",
                    1,
                )
            )
    await connection.copy_records_to_table(
        "allocations",
        records=[(*row, "original", Decimal(0), "bench", 1) for row in allocations],
        columns=[
            "id",
            "area_code",
            "year",
            "level",
            "document_number",
            "issued_on",
            "amount",
            "linked",
            "kind",
            "reversed",
            "created_by",
            "version",
        ],
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
    await connection.copy_records_to_table(
        "payments",
        records=payments,
        columns=[
            "id",
            "link_id",
            "project_id",
            "area_code",
            "county_code",
            "year",
            "amount",
            "kind",
            "refunds_id",
            "voucher_number",
            "paid_on",
            "refunded",
            "created_by",
            "version",
        ],
    )
    await connection.execute(
        "INSERT INTO fund_rules VALUES ('410000000000', $1, 55.00, $2::jsonb, 10.00, 1, now(),"
        " now())",
        YEAR,
        '[{"by": "2025-04-30", "percent": "30.00"}, {"by": "2025-06-30", "percent": "50.00"},'
        ' {"by": "2025-09-30", "percent": "75.00"}, {"by": "2025-12-31", "percent": "100.00"}]',
    )
    await connection.execute("VACUUM ANALYZE")
    return len(payments)


async def floor(connection: asyncpg.Connection) -> float:
    """The report's three aggregates, issued directly: seconds."""
    low, high = "411400000000", "411499999999"
    started = time.perf_counter()
    for query in (
        "SELECT area_code, level, sum(CASE WHEN kind = 'reversal' THEN -amount ELSE amount END)"
        " FROM allocations WHERE area_code BETWEEN $1 AND $2 AND year = $3 AND issued_on <= $4"
        " GROUP BY 1, 2",
        "SELECT county_code, category = 'industry', sum(CASE WHEN kind = 'reversal' THEN -amount"
        " ELSE amount END) FROM fund_links WHERE county_code BETWEEN $1 AND $2 AND year = $3"
        " AND linked_on <= $4 GROUP BY 1, 2",
        "SELECT county_code, sum(CASE WHEN kind = 'reversal' THEN -amount ELSE amount END)"
        " FROM payments WHERE county_code BETWEEN $1 AND $2 AND year = $3 AND paid_on <= $4"
        " GROUP BY 1",
    ):
        await connection.fetch(query, low, high, YEAR, AS_OF)
    return time.perf_counter() - started


async def main(runs: int) -> None:
    settings = prepare()
    connection = await asyncpg.connect(funds_dsn(settings))
    port = free_port()
    server = None
    try:
        print("Machine:")
        print_facts(await machine_facts(connection))
        started = time.perf_counter()
        count = await seed(connection)
        print(
            f"Seeded {len(COUNTIES)} counties, {len(COUNTIES) * PROJECTS_PER_COUNTY} projects, "
            f"{count} payments in {time.perf_counter() - started:.1f} s"
        )
        floors = [await floor(connection) for _ in range(runs)]
        server = start_uvicorn(port)
        headers = {"Authorization": f"Bearer {token('city_viewer', CITY)}"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            await wait_until_up(client)
            print(f"Report of {CITY} as of {AS_OF}, {runs} runs each (after one warm-up):")
            for output in ("json", "csv", "xlsx"):
                params = {"area": CITY, "date": AS_OF.isoformat(), "format": output}
                await client.get("/api/v1/reports/progress", params=params, headers=headers)
                times = []
                for _ in range(runs):
                    began = time.perf_counter()
                    answer = await client.get(
                        "/api/v1/reports/progress", params=params, headers=headers
                    )
                    times.append(time.perf_counter() - began)
                    assert answer.status_code == 200, answer.text
                rows = len(answer.json()["rows"]) if output == "json" else "-"
                print(
                    f"  {output:5} median {statistics.median(times) * 1000:7.1f} ms "
                    f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}); "
                    f"{len(answer.content)} bytes; county rows {rows}"
                )
        floor_ms = statistics.median(floors) * 1000
        print(f"  asyncpg floor (the three aggregates) median {floor_ms:.1f} ms")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        await connection.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per format (7)")
    asyncio.run(main(parser.parse_args().runs))
