"""Benchmark: field devices pushing queued operations through the gateway (移动端同步).

    .venv/bin/python -m bench.sync_devices --devices 200 --batches 10 --operations 50

The gateway and the monitoring app run as real uvicorn processes on loopback ports
(`--workers` each). Each of `--devices` villages has its officer's device and a few seeded
households; each device sends `--batches` batches of `--operations` mixed operations (create
household, update household on a base version, add member, record a visit) to
`/api/v1/monitoring/sync/push`, and after a batch resends an earlier one with probability
`--resend`, as the app does when an answer is lost. The client is the lean keep-alive one of
bench/funds_loopback.py (httpx would spend as much CPU as the servers it measures).

Pacing: all devices together offer `--rate` operations a second (default 1,000: each of 200
devices sends a batch of 50 every 10 s, starting at random points of the first interval), and
a batch's latency counts from when it was due, so a server that falls behind shows in the
latency rather than in a quietly lower load. `--rate 0` sends each device's next batch as soon
as the last is answered (the most the servers do; then latency is simply operations in flight
over throughput: 200 devices x 50 at 1,000 a second is 10 s a batch).

Prints operations per second, batch latency, outcome counts, the CPU seconds of each process
(gateway, monitoring, database backends, this client) and the load average, then checks that
the database holds exactly the rows the devices meant to write: none lost, none twice.
Uses its own `dixian_bench_sync_` databases.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from typing import Any

from bench import employment_setup as setup
from bench.funds_loopback import LoopbackClient
from bench.servers import (
    cpu_seconds,
    free_port,
    start_server,
    stop_servers,
    tree_cpu_seconds,
    wait_ready,
)
from bench.sync_workload import Device, Intended, seed, tally, villages

PREFIX = "dixian_bench_sync_"
PUSH = "/api/v1/monitoring/sync/push"
# Tables the pushes write; CASCADE empties what refers to households (visits, cases, ...).
TABLES = ("households", "members", "sync_operations", "changes", "area_figures")


RETRIES = 10


class Run:
    """Latencies and outcomes of every push."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.problems: list[Any] = []
        self.answered = 0
        self.retried = 0  # pushes sent again after a 502/503/504

    async def push(
        self,
        client: LoopbackClient,
        device: Device,
        batch: list[dict[str, Any]],
        due: float | None = None,
    ) -> list[dict[str, Any]]:
        """Latency counts from `due`, the time the batch was scheduled, when given: a device
        running behind schedule waits too (no coordinated omission)."""
        started = time.perf_counter()
        for _ in range(RETRIES):
            status, body = await client.request("POST", PUSH, device.headers, {"operations": batch})
            if status not in (502, 503, 504):
                break
            # Overloaded (e.g. 503 database_busy): the app waits and sends the batch again.
            self.retried += 1
            await asyncio.sleep(1)
        self.latencies.append(time.perf_counter() - (started if due is None else due))
        if status != 200:
            raise RuntimeError(f"push answered {status}: {body[:300]!r}")
        outcomes: list[dict[str, Any]] = json.loads(body)["outcomes"]
        self.answered += len(outcomes)
        tally(outcomes, self.statuses, self.problems)
        return outcomes


async def drive(
    client: LoopbackClient, device: Device, run: Run, arguments: argparse.Namespace
) -> None:
    """Batches at the device's pace (all devices together offer `--rate` operations a second),
    or one after another with `--rate 0`; now and then an earlier batch again."""
    interval = arguments.devices * arguments.operations / arguments.rate if arguments.rate else 0
    due = time.perf_counter() + device.rng.random() * interval
    for _ in range(arguments.batches):
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        batch = device.next_batch(arguments.operations)
        device.learn(batch, await run.push(client, device, batch, due if interval else None))
        device.sent.append(batch)
        if device.rng.random() < arguments.resend:
            again = device.rng.choice(device.sent)
            device.learn(again, await run.push(client, device, again))
        due += interval


async def backend_cpu(admin: Any) -> dict[int, float]:
    """CPU so far of every server backend on the benchmark's databases, by pid."""
    rows = await admin.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname LIKE $1 AND pid <> pg_backend_pid()",
        PREFIX + "%",
    )
    return {row["pid"]: cpu_seconds(row["pid"]) for row in rows}


async def check(admin: Any, intended: Intended) -> list[str]:
    """What differs between the database and what the devices meant to write."""
    counts = {
        "households": intended.households,
        "members": intended.members,
        "visits": intended.visits,
        "sync_operations": intended.operations,
    }
    wrong = []
    for table, expected in counts.items():
        found = await admin.fetchval(f"SELECT count(*) FROM {table}")
        if found != expected:
            wrong.append(f"{table}: {found} rows, intended {expected}")
    twice = await admin.fetchval(
        "SELECT count(*) FROM (SELECT findings FROM visits GROUP BY findings "
        "HAVING count(*) > 1) AS repeated"
    )
    if twice:
        wrong.append(f"{twice} visits recorded more than once")
    addresses = dict(await admin.fetch("SELECT id::text, address FROM households"))
    moved = [key for key, value in intended.addresses.items() if addresses.get(key) != value]
    if moved or len(addresses) != len(intended.addresses):
        wrong.append(f"{len(moved)} households without the address last set")
    return wrong


def summary(run: Run, seconds: float, cpu: dict[str, float], load: str) -> str:
    ms = sorted(value * 1000 for value in run.latencies)
    applied = run.statuses["applied"]
    lines = [
        f"- {run.answered} operations answered in {len(ms)} batches in {seconds:.2f} s: "
        f"{run.answered / seconds:,.0f} operations/s ({applied / seconds:,.0f} applied/s)",
        f"- batch latency: p50 {statistics.median(ms):.0f} ms, "
        f"p95 {setup.percentile(ms, 0.95):.0f} ms, p99 {setup.percentile(ms, 0.99):.0f} ms, "
        f"max {ms[-1]:.0f} ms",
        "- outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(run.statuses.items())),
        f"- pushes sent again after 502/503/504: {run.retried}",
        "- CPU seconds: "
        + ", ".join(f"{name} {used:.1f}" for name, used in cpu.items())
        + f" (total {sum(cpu.values()):.1f} over {seconds:.1f} s of wall time)",
        f"- load average before: {load}; after: {setup.load_average()}",
    ]
    return "\n".join(lines)


async def main(arguments: argparse.Namespace) -> int:
    setup.use_prefix(PREFIX)
    settings = setup.prepare()
    admin = await setup.connect(settings, "monitoring")
    print("## Machine")
    setup.print_facts(await setup.machine_facts(admin))
    await admin.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")

    from services.monitoring.app import build_app

    seeding = build_app()
    intended = Intended()
    codes = villages(arguments.devices)
    households = await seed(seeding, codes, arguments.households, intended)
    await seeding.state.database.dispose()
    await admin.execute("ANALYZE households, members")
    devices = [Device(index, code, households[index], intended) for index, code in enumerate(codes)]

    ports = {"gateway": free_port(), "monitoring": free_port()}
    env = {
        **os.environ,
        "GATEWAY_MONITORING_URL": f"http://127.0.0.1:{ports['monitoring']}",
        "DATABASE_POOL_SIZE": str(arguments.pool),
    }
    servers = {
        name: start_server(name, port, env, workers=arguments.workers)
        for name, port in ports.items()
    }
    try:
        for port in ports.values():
            await wait_ready(port)
        run = Run()
        load = setup.load_average()
        async with LoopbackClient(ports["gateway"], connections=len(devices)) as client:
            before = {name: tree_cpu_seconds(process.pid) for name, process in servers.items()}
            database, client_cpu = await backend_cpu(admin), time.process_time()
            started = time.perf_counter()
            await asyncio.gather(*(drive(client, device, run, arguments) for device in devices))
            seconds = time.perf_counter() - started
            client_cpu = time.process_time() - client_cpu
            cpu = {
                name: tree_cpu_seconds(process.pid) - before[name]
                for name, process in servers.items()
            }
            after = await backend_cpu(admin)
            cpu["database"] = sum(used - database.get(pid, 0.0) for pid, used in after.items())
            cpu["client"] = client_cpu
    finally:
        stop_servers(list(servers.values()))
    print(
        f"\n## {len(devices)} devices x {arguments.batches} batches x {arguments.operations} "
        f"operations, {arguments.workers} worker(s) per app, pool {arguments.pool}, "
        f"resend {arguments.resend:.0%}, offered "
        + (f"{arguments.rate:,.0f} operations/s" if arguments.rate else "as fast as answered")
    )
    print(summary(run, seconds, cpu, load))
    for problem in run.problems:
        print(f"  not applied: {json.dumps(problem, ensure_ascii=False)[:300]}")
    wrong = await check(admin, intended)
    await admin.close()
    print("- database check: " + ("; ".join(wrong) if wrong else "exactly the intended rows"))
    return 1 if wrong or run.problems else 0


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=200, help="villages, one device each")
    parser.add_argument("--batches", type=int, default=10, help="new batches per device")
    parser.add_argument("--operations", type=int, default=50, help="operations per batch")
    parser.add_argument(
        "--rate",
        type=float,
        default=1000,
        help="operations a second all devices offer together; 0: each device sends its next "
        "batch as soon as the last is answered",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per app")
    parser.add_argument("--pool", type=int, default=10, help="database pool size per worker")
    parser.add_argument("--households", type=int, default=5, help="seeded per village")
    parser.add_argument(
        "--resend", type=float, default=0.1, help="chance of resending an earlier batch"
    )
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_arguments())))
