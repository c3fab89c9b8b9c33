"""Benchmark: a village officer's everyday screen, `GET /api/v1/households?village=...&limit=50`,
with a province's register loaded (3,500,000 members in about 1,060,000 households over 4,000
villages of ten counties).

The register is loaded through the import path itself, in batches (each its own import), unless
the bench database already holds it; then the tables are vacuumed and analyzed, as autovacuum
would have done by the time officers use them. Each request goes through the monitoring app
in-process (`httpx.ASGITransport`) with the token of that village's officer: first pages of
random villages, then the second page (`cursor`) of some of them.

    .venv/bin/python -m bench.village_listing --members 3500000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from typing import TYPE_CHECKING

from bench.synthetic import Population, villages

if TYPE_CHECKING:
    import httpx

URL = "/api/v1/households"
VILLAGES = 4000


async def load(client: httpx.AsyncClient, have: int, want: int, batch: int) -> None:
    from bench import monitoring_setup as setup

    headers = {**setup.token("administrator", "000000000000"), "Content-Type": "text/csv"}
    for first in range(have, want, batch):
        members = min(batch, want - first)
        population = Population(
            members,
            seed=first,
            scope="province",
            village_count=VILLAGES,
            first_serial=first,
            household_prefix=f"P{first // batch:03d}-",
        )
        body = population.csv()
        started = time.perf_counter()
        answer = await client.post(
            "/api/v1/imports/households", content=setup.pieces(body), headers=headers
        )
        report = answer.json()
        elapsed = time.perf_counter() - started
        assert answer.status_code == 200 and report["rejected_count"] == 0, answer.text[:500]
        print(
            f"- loaded members {first:,}-{first + members:,} with {first:,} already there: "
            f"{elapsed:.0f} s, {members / elapsed:,.0f} members/s",
            flush=True,
        )


async def timed(
    client: httpx.AsyncClient, params: dict[str, str], headers: dict[str, str]
) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    answer = await client.get(URL, params=params, headers=headers)
    elapsed = time.perf_counter() - started
    assert answer.status_code == 200, answer.text[:300]
    return elapsed, answer.json()


def describe(name: str, latencies: list[float]) -> str:
    from bench.monitoring_setup import percentile

    milliseconds = [value * 1000 for value in latencies]
    return (
        f"- {name}: {len(milliseconds)} requests, p50 {statistics.median(milliseconds):.1f} ms, "
        f"p95 {percentile(milliseconds, 0.95):.1f} ms, p99 {percentile(milliseconds, 0.99):.1f} "
        f"ms, max {max(milliseconds):.1f} ms"
    )


async def main(arguments: argparse.Namespace) -> None:
    from bench import monitoring_setup as setup
    from services.monitoring.imports.workers import ImportTuning

    settings = setup.prepare()
    admin = await setup.admin_connection(settings)
    print("## Machine")
    setup.print_facts(await setup.machine_facts(admin))

    app = setup.monitoring_app()
    app.state.import_tuning = ImportTuning(mode="process")
    async with setup.in_process_client(app) as client:
        have = await admin.fetchval("SELECT count(*) FROM members")
        if arguments.fresh or have > arguments.members:
            await setup.clean(admin)
            have = 0
        if have < arguments.members:
            print(f"\n## Loading {arguments.members - have:,} members")
            await load(client, have, arguments.members, arguments.batch)
            print("- VACUUM ANALYZE households, members")
            await admin.execute("VACUUM ANALYZE households")
            await admin.execute("VACUUM ANALYZE members")
        counts = await admin.fetchrow(
            "SELECT (SELECT count(*) FROM households) AS households, "
            "(SELECT count(*) FROM members) AS members, "
            "pg_size_pretty(pg_total_relation_size('households')) AS households_size, "
            "pg_size_pretty(pg_total_relation_size('members')) AS members_size"
        )
        assert counts is not None
        print(
            f"\n## Listing: {counts['members']:,} members ({counts['members_size']}) in "
            f"{counts['households']:,} households ({counts['households_size']}), "
            f"{VILLAGES} villages"
        )
        rng = random.Random(7)
        codes = villages("province", VILLAGES)
        sample = [rng.choice(codes) for _ in range(arguments.requests)]
        tokens = {code: setup.token("village_officer", code) for code in set(sample)}
        for code in sample[: arguments.warmup]:
            await timed(client, {"village": code, "limit": "50"}, tokens[code])
        first_pages, second_pages, sizes = [], [], []
        for position, code in enumerate(sample):
            elapsed, page = await timed(client, {"village": code, "limit": "50"}, tokens[code])
            first_pages.append(elapsed)
            sizes.append(len(page["items"]))  # type: ignore[arg-type]
            if position % 4 == 0 and page["next_cursor"]:
                params = {"village": code, "limit": "50", "cursor": str(page["next_cursor"])}
                elapsed, _ = await timed(client, params, tokens[code])
                second_pages.append(elapsed)
        print(f"- households per page: {statistics.mean(sizes):.0f} (limit 50)")
        print(describe("first page", first_pages))
        if second_pages:
            print(describe("second page (cursor)", second_pages))
    await admin.close()


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=3_500_000)
    parser.add_argument("--batch", type=int, default=500_000, help="members per import")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--fresh", action="store_true", help="empty the tables and load again")
    return parser.parse_args()


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    asyncio.run(main(parse_arguments()))
