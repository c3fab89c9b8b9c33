"""Benchmark: bulk loading of employment spells and loans (`POST /api/v1/bulk/...`).

(a) The bulk path: the employment app in-process, the file streamed through
    `httpx.ASGITransport` in 1 MiB pieces, in rows per second: parsing and checking every row,
    COPY into staging, resolving labourers in the caller's area, inserting with change-feed
    rows, recounting every labourer's years and the figures, the per-row report.
(b) The COPY floor: the very rows the load stored, read back in binary and COPYed into the
    emptied table in one transaction (same indexes and foreign keys): what loading costs with
    nothing checked, resolved, counted or recorded.

    .venv/bin/python -m bench.employment_bulk --spells 500000 --loans 0 --runs 2
    .venv/bin/python -m bench.employment_bulk --spells 0 --loans 150000 --runs 3

Spells reference 150,000 labourers (seeded directly, not timed) by ID number; loans have
distinct borrowers and load as applications waiting for their eligibility check.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import io
import json
import os
import random
import statistics
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from bench import employment_setup as setup

if TYPE_CHECKING:
    import asyncpg
    import httpx

PLACES = ("in_county", "in_county", "in_province", "out_of_province")
KINDS = ("enterprise", "enterprise", "self_employed")
FIRST_DAY = datetime.date(2024, 1, 1)


def spell_rows(numbers: list[str], count: int, seed: int = 20261123) -> bytes:
    """NDJSON of `count` spells spread over the labourers, several each, some still open."""
    rng = random.Random(seed)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = []
    for position in range(count):
        start = FIRST_DAY + datetime.timedelta(days=rng.randrange(0, 1000))
        row = {
            "person_number": numbers[position % len(numbers)],
            "employer": f"某企业{rng.randrange(5000)}",
            "place_class": rng.choice(PLACES),
            "kind": rng.choice(KINDS),
            "start_date": start.isoformat(),
            "monthly_wage": f"{rng.randrange(1800, 9000)}.00",
            "ref": str(position),
        }
        if rng.random() < 0.8:
            row["end_date"] = (start + datetime.timedelta(days=rng.randrange(20, 400))).isoformat()
        lines.append(dumps(row))
    return ("\n".join(lines) + "\n").encode()


def loan_rows(count: int, first_serial: int, seed: int = 20261124) -> bytes:
    """NDJSON of `count` loans to distinct borrowers aged 18 to 60 when issued."""
    rng = random.Random(seed)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = []
    for position in range(count):
        issued = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(0, 1000))
        lines.append(
            dumps(
                {
                    "person_number": setup.person_number(
                        first_serial + position, datetime.date(1965, 1, 1)
                    ),
                    "borrower_name": "王借款",
                    "bank": "柘城农商银行",
                    "amount": f"{rng.randrange(5, 51) * 1000}.00",
                    "term_months": rng.choice((12, 24, 36)),
                    "annual_rate": "3.45",
                    "interest_subsidy_rate": "3.45",
                    "issue_date": issued.isoformat(),
                    "ref": f"bank-{position}",
                }
            )
        )
    return ("\n".join(lines) + "\n").encode()


async def backend_cpu(admin: asyncpg.Connection) -> dict[int, float]:
    """CPU seconds so far of each backend of the bench database but the admin's own (the app's
    pooled connections, and autovacuum workers while they run)."""
    rows = await admin.fetch(
        "SELECT pid FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    return {row["pid"]: cpu_seconds(row["pid"]) for row in rows}


def cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers_cpu() -> dict[int, float]:
    """CPU seconds so far of this process's children (the app's worker processes)."""
    children: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        children += [int(pid) for pid in (task / "children").read_text().split()]
    return {pid: cpu_seconds(pid) for pid in children}


async def load_once(
    client: httpx.AsyncClient,
    path: str,
    body: bytes,
    headers: dict[str, str],
    rows: int,
    admin: asyncpg.Connection,
) -> tuple[float, float, float, float]:
    """Wall-clock seconds, CPU seconds of this process (the app and its in-process client), of
    the app's worker processes and of the database backends."""
    database, workers = await backend_cpu(admin), workers_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    answer = await client.post(
        path,
        content=setup.pieces(body),
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = await backend_cpu(admin)
    database_cpu = sum(seconds - database.get(pid, 0.0) for pid, seconds in after.items())
    worker_cpu = sum(seconds - workers.get(pid, 0.0) for pid, seconds in workers_cpu().items())
    assert answer.status_code == 200, answer.text[:500]
    report = answer.json()
    assert report["accepted"] == rows and report["rejected"] == 0, str(report)[:500]
    return elapsed, cpu, worker_cpu, database_cpu


async def copy_floor(connection: asyncpg.Connection, tables: list[str], runs: int) -> list[float]:
    """Export what the load stored, then time COPYing it back into the emptied tables."""
    exported = {}
    for table in tables:
        exported[table] = io.BytesIO()
        await connection.copy_from_table(table, output=exported[table], format="binary")
    timings = []
    for _ in range(runs):
        await connection.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        await connection.execute("CHECKPOINT")
        started = time.perf_counter()
        async with connection.transaction():
            for table in tables:
                exported[table].seek(0)
                await connection.copy_to_table(table, source=exported[table], format="binary")
        timings.append(time.perf_counter() - started)
    return timings


def rate(rows: int, seconds: float) -> str:
    return f"{seconds:.1f} s, {rows / seconds:,.0f} rows/s"


async def bench(
    name: str,
    path: str,
    body: bytes,
    rows: int,
    tables: list[str],
    arguments: argparse.Namespace,
    admin: asyncpg.Connection,
    reset: list[str],
) -> None:
    import httpx

    from services.employment.app import build_app

    app = build_app()
    headers = {**setup.token("county_admin", setup.COUNTY), "Content-Type": "application/x-ndjson"}
    print(f"\n## {name}: {rows:,} rows, {len(body) / 2**20:.0f} MiB of NDJSON")
    timings = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://employment", timeout=None
    ) as client:
        if arguments.warmup:
            # A fresh app starts its worker processes (loans) with its first large load.
            await admin.execute(f"TRUNCATE {', '.join(reset)} RESTART IDENTITY CASCADE")
            first = b"".join(body.splitlines(keepends=True)[: arguments.warmup])
            elapsed, _, worker_cpu, _ = await load_once(
                client, path, first, headers, arguments.warmup, admin
            )
            print(
                f"- warm-up, {arguments.warmup:,} rows (not counted): {elapsed:.1f} s, worker "
                f"processes {worker_cpu:.1f} CPU s"
            )
        for run in range(1, arguments.runs + 1):
            await admin.execute(f"TRUNCATE {', '.join(reset)} RESTART IDENTITY CASCADE")
            await admin.execute("CHECKPOINT")
            load = setup.load_average()
            elapsed, cpu, worker_cpu, database_cpu = await load_once(
                client, path, body, headers, rows, admin
            )
            timings.append(elapsed)
            print(
                f"- run {run}: {rate(rows, elapsed)}; app process CPU {cpu * 1e6 / rows:.1f} us "
                f"a row, its worker processes {worker_cpu * 1e6 / rows:.1f} us, database "
                f"backends {database_cpu * 1e6 / rows:.1f} us "
                f"(load average before: {load})"
            )
    await app.state.database.dispose()
    median = statistics.median(timings)
    print(f"- median: {rate(rows, median)}")
    floor = await copy_floor(admin, tables, arguments.floor_runs)
    for run, elapsed in enumerate(floor, start=1):
        print(f"- COPY floor run {run} ({' + '.join(tables)}): {rate(rows, elapsed)}")
    floor_median = statistics.median(floor)
    print(
        f"- COPY floor median: {rate(rows, floor_median)}; "
        f"the bulk path takes {median / floor_median:.1f}x the floor"
    )


async def main(arguments: argparse.Namespace) -> None:
    setup.use_prefix(arguments.prefix)
    settings = setup.prepare()
    admin = await setup.connect(settings, "employment")
    print("## Machine")
    setup.print_facts(await setup.machine_facts(admin))
    await setup.clean_employment(admin)

    started = time.perf_counter()
    numbers = await setup.seed_labourers(admin, arguments.labourers) if arguments.spells else []
    spells = spell_rows(numbers, arguments.spells)
    loans = loan_rows(arguments.loans, first_serial=10_000_000)
    print(
        f"\nSeeded {arguments.labourers:,} labourers and generated the files in "
        f"{time.perf_counter() - started:.0f} s (not timed)."
    )
    if arguments.spells:
        await bench(
            "Employment spells",
            "/api/v1/bulk/employment-spells",
            spells,
            arguments.spells,
            ["employment_spells"],
            arguments,
            admin,
            ["employment_spells", "labourer_years", "area_figures", "changes", "idempotency_keys"],
        )
    if arguments.loans:
        await bench(
            "Loans",
            "/api/v1/bulk/loans",
            loans,
            arguments.loans,
            ["loans", "loan_installments"],
            arguments,
            admin,
            ["loan_installments", "loans", "changes", "idempotency_keys"],
        )
    print(f"\nLoad average at the end: {setup.load_average()}")
    await setup.clean_employment(admin)
    await admin.close()


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--labourers", type=int, default=150_000)
    parser.add_argument("--spells", type=int, default=500_000)
    parser.add_argument("--loans", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--warmup", type=int, default=5_000, help="rows of a first, untimed load (0: none)"
    )
    parser.add_argument("--floor-runs", type=int, default=2)
    parser.add_argument(
        "--prefix",
        default=setup.BULK_PREFIX,
        help="database prefix (starting dixian_bench_), to keep apart from a bench running beside",
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_arguments()))
