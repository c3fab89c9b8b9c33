"""Benchmark: onboarding a county, `POST /api/v1/imports/households`.

(a) The real import path: the monitoring app in-process, the upload streamed through
    `httpx.ASGITransport` in 1 MiB pieces, into empty tables (the first county of a new
    installation), in members per second. A heartbeat pings `/healthz` meanwhile.
(b) The COPY floor: the very rows the import stored, read back in binary and COPYed into empty
    `households` and `members` in one transaction: what loading costs with nothing validated,
    encrypted, checked or recorded.

    .venv/bin/python -m bench.monitoring_import --members 1000000 --runs 3

This module imports little at the top: worker processes are spawned and import the main module,
so everything heavy is imported inside `main`.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import time
from typing import TYPE_CHECKING

from bench.synthetic import COUNTY, Population

if TYPE_CHECKING:
    import asyncpg
    import httpx

    from bench.monitoring_setup import CpuMeter

URL = "/api/v1/imports/households"
MEDIA_TYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}


async def import_once(
    client: httpx.AsyncClient,
    meter: CpuMeter,
    body: bytes,
    headers: dict[str, str],
    members: int,
) -> tuple[float, dict[str, float], str]:
    from bench import monitoring_setup as setup

    heartbeat = setup.Heartbeat(client)
    pinging = asyncio.create_task(heartbeat.run())
    # Workers of an earlier run are gone or idle; the database backends persist in the pool.
    before = await meter.sample()
    started = time.perf_counter()
    answer = await client.post(URL, content=setup.pieces(body), headers=headers)
    elapsed = time.perf_counter() - started
    heartbeat.stop()
    await pinging
    used = meter.used(before, await meter.sample())
    report = answer.json()
    assert answer.status_code == 200, answer.text[:500]
    assert report["members_created"] == members and report["rejected_count"] == 0, report
    return elapsed, used, heartbeat.summary()


def describe_cpu(used: dict[str, float], members: int, cores: int, workers: int) -> str:
    """CPU per component (and per member), and the wall time the run would take if it had the
    machine's cores to itself: the workers run beside the loop and the database, and the
    loop's ledger work on one chunk overlaps the database's COPY of the one before, so none of
    the three can take less than its own CPU and no worker more than its share."""
    total = sum(used.values())
    estimate = max(total / cores, used["app"], used["database"], used["workers"] / max(1, workers))
    parts = ", ".join(f"{name} {seconds:.1f}" for name, seconds in used.items())
    per_member = " / ".join(f"{seconds / members * 1e6:.1f}" for seconds in used.values())
    return (
        f"CPU s: {parts} (total {total:.1f}; per member {per_member} us); alone on {cores} "
        f"cores: about {estimate:.0f} s = {members / estimate:,.0f} members/s"
    )


async def copy_floor(connection: asyncpg.Connection, runs: int) -> list[float]:
    """Export what the import stored, then time COPYing it back into empty tables."""
    from bench import monitoring_setup as setup

    households, members = io.BytesIO(), io.BytesIO()
    await connection.copy_from_table("households", output=households, format="binary")
    await connection.copy_from_table("members", output=members, format="binary")
    timings = []
    for _ in range(runs):
        await setup.clean(connection)
        households.seek(0)
        members.seek(0)
        started = time.perf_counter()
        cpu = await connection.fetchval("SELECT pg_backend_pid()")
        before = setup.cpu_seconds(cpu)
        async with connection.transaction():
            await connection.copy_to_table("households", source=households, format="binary")
            await connection.copy_to_table("members", source=members, format="binary")
        timings.append(time.perf_counter() - started)
        print(
            f"- run {len(timings)} (load {os.getloadavg()[0]:.1f}): {timings[-1]:.1f} s, "
            f"database CPU {setup.cpu_seconds(cpu) - before:.1f} s",
            flush=True,
        )
    return timings


async def main(arguments: argparse.Namespace) -> None:
    from bench import monitoring_setup as setup
    from services.monitoring.imports.workers import ImportTuning

    settings = setup.prepare()
    admin = await setup.admin_connection(settings)
    print("## Machine")
    setup.print_facts(await setup.machine_facts(admin))

    population = Population(arguments.members, scope=arguments.scope, village_count=400)
    started = time.perf_counter()
    body = population.csv() if arguments.format == "csv" else population.ndjson()
    print(
        f"\nGenerated {arguments.members} members ({len(body) / 2**20:.0f} MiB of "
        f"{arguments.format}) in {time.perf_counter() - started:.0f} s (not timed)."
    )

    app = setup.monitoring_app()
    app.state.import_tuning = ImportTuning(
        mode=arguments.mode,
        workers=arguments.workers,
        chunk_bytes=int(arguments.chunk_mib * 2**20),
    )
    role, area = ("county_admin", f"{COUNTY}000000")
    if arguments.scope == "province":
        role, area = ("administrator", "000000000000")
    headers = {**setup.token(role, area), "Content-Type": MEDIA_TYPES[arguments.format]}

    print(
        f"\n## Import: {arguments.format}, mode {arguments.mode}, {arguments.workers} workers, "
        f"chunks of {arguments.chunk_mib} MiB"
    )
    timings = []
    meter = setup.CpuMeter(admin)
    cores = len(os.sched_getaffinity(0))
    async with setup.in_process_client(app) as client:
        for run in range(1, arguments.runs + 1):
            await setup.clean(admin)
            load = os.getloadavg()[0]
            elapsed, used, pings = await import_once(
                client, meter, body, headers, arguments.members
            )
            timings.append(elapsed)
            print(
                f"- run {run} (load {load:.1f}): {elapsed:.1f} s, "
                f"{arguments.members / elapsed:,.0f} members/s; "
                f"{describe_cpu(used, arguments.members, cores, arguments.workers)}; "
                f"/healthz meanwhile: {pings}",
                flush=True,
            )
    import_median = statistics.median(timings)
    print(f"- median: {import_median:.1f} s = {arguments.members / import_median:,.0f} members/s")

    if arguments.floor_runs:
        households = await admin.fetchval("SELECT count(*) FROM households")
        print(f"\n## COPY floor: {households} households + {arguments.members} members")
        floor = await copy_floor(admin, arguments.floor_runs)
        floor_median = statistics.median(floor)
        print(
            f"- median: {floor_median:.1f} s = {arguments.members / floor_median:,.0f} members/s; "
            f"the import takes {import_median / floor_median:.2f}x the floor"
        )
    await setup.clean(admin)
    await admin.close()


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--floor-runs", type=int, default=3)
    parser.add_argument("--format", choices=sorted(MEDIA_TYPES), default="csv")
    parser.add_argument("--mode", choices=["auto", "process", "thread"], default="auto")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunk-mib", type=float, default=4.0)
    parser.add_argument("--scope", choices=["county", "province"], default="county")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_arguments()))
