"""Soak test: a mixed workload for a fixed time at a fixed offered rate (压力与稳定性测试).

    .venv/bin/python -m bench.soak --minutes 10
    .venv/bin/python -m bench.soak --minutes 1          # a check

The four apps run as real uvicorn processes on loopback ports, on their own databases
(`dixian_bench_soak_*`, created and migrated by `scripts/bootstrap.py` `prepare()`; each run
empties the monitoring tables it writes). Seeding: a county's register of `--members` people
in `--villages` villages through `POST /imports/households`, and a province warning rule
through the gateway. Then, after `--warmup` seconds not counted, for `--minutes`, all through
the gateway (bench/soak_workload.py): `--devices` field devices pushing `--push-rate`
operations a second in batches of `--operations`; village officers reading their household
lists `--list-rate` times a second; city, province and county officials reading the
indicators `--indicator-rate` times a second; a department batch of `--feed-records` records every
`--feed-every` seconds, followed until processed.

Before the mix, each kind runs alone for `--alone-seconds` at its rate of the mix (one
department batch), and the server CPU per unit is printed (ms per pushed operation, list read,
indicator read, department record; per process), the figures docs/scaling.md builds on.

Prints, per kind, the count, the errors, p50/p95/p99 latency and the throughput; every
`--sample-seconds` the RSS of each app process and PostgreSQL's backends on the soak's
databases; the growth of each from the first minute to the last; the CPU seconds of each
process; then checks that the database holds exactly the rows the devices meant to write.
Exits 1 on any error, on a database check that fails, or on a growth above
`--max-growth-mib` (an app's process tree) or `--max-backend-growth-mib` (the mean private
memory of a PostgreSQL backend).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from typing import Any

from bench import employment_setup as setup

PREFIX = "dixian_bench_soak_"
APPS = ("gateway", "monitoring", "funds", "employment")
# What the workload writes (CASCADE empties what refers to households, batches and rules).
TABLES = (
    "households", "members", "member_moves", "sync_operations", "changes", "area_figures",
    "idempotency_keys", "feed_batches", "feed_chunks", "feed_records", "feed_rejections",
    "department_warnings", "department_warning_events",
)  # fmt: skip
POSTGRES = "postgres backends"


def token(role: str, area: str, minutes: int) -> dict[str, str]:
    """A bearer header as the gateway mints it, valid for the whole run."""
    from gateway.auth.issuer import TokenIssuer
    from gateway.settings import GatewaySettings
    from services.common.settings import DEV_SIGNING_KEY, DEV_SIGNING_KEY_ID

    issuer = TokenIssuer(
        GatewaySettings(
            signing_key=DEV_SIGNING_KEY,
            signing_key_id=DEV_SIGNING_KEY_ID,
            access_token_minutes=min(24 * 60, minutes),
        )
    )
    subject = f"client:soak-{role}" if role == "department_feed" else f"user:soak-{role}-{area}"
    minted, _ = issuer.issue(subject=subject, role=role, area=area, scopes=[], name="soak")
    return {"Authorization": f"Bearer {minted}"}


async def clean(admin: Any) -> None:
    from bench.soak_seed import RULE_CODE

    await admin.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    await admin.execute(
        "DELETE FROM warning_rule_versions WHERE rule_id IN "
        "(SELECT id FROM warning_rules WHERE code = $1)",
        RULE_CODE,
    )
    await admin.execute("DELETE FROM warning_rules WHERE code = $1", RULE_CODE)


async def main(arguments: argparse.Namespace) -> int:
    setup.use_prefix(PREFIX)
    settings = setup.prepare()
    admin = await setup.connect(settings, "monitoring")
    print("## Machine")
    setup.print_facts(await setup.machine_facts(admin))
    await clean(admin)

    from bench.servers import free_port, start_server, stop_servers

    ports = {name: free_port() for name in APPS}
    env = {
        **os.environ,
        **{f"GATEWAY_{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}" for name in APPS[1:]},
        "DATABASE_POOL_SIZE": str(arguments.pool),
        "MONITORING_FEED_POLL_SECONDS": "1",
        # The lean client keeps its connections however long they idle (uvicorn: 5 s).
        "UVICORN_TIMEOUT_KEEP_ALIVE": "3600",
    }
    servers = {
        name: start_server(name, port, env, workers=arguments.workers)
        for name, port in ports.items()
    }
    try:
        return await soak(arguments, admin, ports, {n: p.pid for n, p in servers.items()})
    finally:
        stop_servers(list(servers.values()))
        await admin.close()


async def soak(
    arguments: argparse.Namespace, admin: Any, ports: dict[str, int], pids: dict[str, int]
) -> int:
    from bench import soak_workload
    from bench.funds_loopback import LoopbackClient
    from bench.servers import wait_ready
    from bench.soak_memory import MemoryLog, describe
    from bench.soak_mix import CpuMeter, Mix, Rates, cpu_per_unit
    from bench.soak_report import print_report
    from bench.sync_devices import check
    from bench.sync_workload import Intended

    for port in ports.values():
        await wait_ready(port)
    minutes = int(arguments.minutes + arguments.warmup / 60) + 30
    intended = Intended()
    registry, readers, devices = await seed(arguments, admin, ports, intended, minutes)
    rates = Rates(
        arguments.push_rate, arguments.list_rate, arguments.indicator_rate, arguments.feed_every
    )
    meter = CpuMeter(pids, admin, PREFIX)
    gateway = ports["gateway"]
    async with (
        LoopbackClient(gateway, connections=len(devices)) as pushes,
        LoopbackClient(gateway, connections=arguments.connections) as lists,
        LoopbackClient(gateway, connections=arguments.connections) as indicators,
        LoopbackClient(gateway, connections=2) as feeds,
    ):
        mix = Mix(
            devices,
            registry,
            readers,
            pushes,
            lists,
            indicators,
            feeds,
            arguments.operations,
            arguments.resend,
            arguments.feed_records,
        )
        errors = 0
        if arguments.alone_seconds:
            errors += await cpu_per_unit(mix, meter, rates, arguments.alone_seconds)

        memory = MemoryLog()
        load = setup.load_average()
        run = soak_workload.Soak(
            arguments.warmup, arguments.minutes * 60, arguments.connections * 10
        )
        print(f"\n## Memory every {arguments.sample_seconds:.0f} s (after {arguments.warmup} s)")
        tasks = [asyncio.create_task(job) for job in mix.jobs(run, rates)]
        await asyncio.sleep(max(0.0, run.measured_from - time.perf_counter()))
        before = await meter.snapshot()
        measured = time.perf_counter()
        while True:
            elapsed = time.perf_counter() - measured
            print(describe(await memory.sample(elapsed, pids, admin, PREFIX)), flush=True)
            if time.perf_counter() >= run.end:
                break
            await asyncio.sleep(
                min(arguments.sample_seconds, max(0.0, run.end - time.perf_counter()))
            )
        cpu = await meter.since(before)
        seconds = time.perf_counter() - measured
        _, pending = await asyncio.wait(tasks, timeout=arguments.grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    errors += print_report(run, seconds, cpu, memory, arguments, load)
    wrong = await check(admin, intended)
    print("- database check: " + ("; ".join(wrong) if wrong else "exactly the intended rows"))
    grown = memory.growth()
    limits = {name: arguments.max_growth_mib for name in grown}
    limits[POSTGRES] = arguments.max_backend_growth_mib
    too_much = {name: round(mib, 1) for name, mib in grown.items() if mib > limits[name]}
    if too_much:
        print(f"- memory growth above the limits: {too_much}")
    return 1 if errors or wrong or too_much else 0


async def seed(
    arguments: argparse.Namespace,
    admin: Any,
    ports: dict[str, int],
    intended: Any,
    minutes: int,
) -> tuple[Any, Any, list[Any]]:
    """The county through the import path and a warning rule; the officers' and the
    department's tokens; one device per village (as many as `--devices`)."""
    import httpx

    from bench import soak_seed
    from bench.soak_workload import Readers
    from bench.sync_workload import Device

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['monitoring']}") as client:
        report = await soak_seed.import_households(
            client,
            token("county_admin", soak_seed.COUNTY, minutes),
            arguments.members,
            arguments.villages,
        )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['gateway']}") as client:
        await soak_seed.create_rule(client, token("administrator", "000000000000", minutes))
    await admin.execute("ANALYZE households, members")
    registry = await soak_seed.county(admin, arguments.members, intended)
    print(
        f"\n## Seeded in {time.perf_counter() - started:.0f} s: {report['households_created']} "
        f"households, {report['members_created']} members in {len(registry.villages)} villages "
        f"of {soak_seed.COUNTY} (import), rule {soak_seed.RULE_CODE}"
    )
    readers = Readers(
        villages={v: token("village_officer", v, minutes) for v in registry.villages},
        county=token("county_approver", soak_seed.COUNTY, minutes),
        city=token("city_viewer", soak_seed.CITY, minutes),
        province=token("province_viewer", soak_seed.PROVINCE, minutes),
        feed=token("department_feed", soak_seed.PROVINCE, minutes),
    )
    devices = []
    for index in range(arguments.devices):
        village = registry.villages[index % len(registry.villages)]
        device = Device(index, village, registry.households[village], intended)
        device.headers = readers.villages[village]
        devices.append(device)
    return registry, readers, devices


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    option = parser.add_argument
    option(
        "--minutes",
        type=float,
        default=10,
        help="measured duration (memory growth compares the first and last minutes, which "
        "overlap in runs of 2 minutes or less)",
    )
    option("--warmup", type=float, default=30, help="seconds of load before measuring")
    option("--members", type=int, default=20_000, help="people of the imported register")
    option("--villages", type=int, default=40, help="villages of the register")
    option("--devices", type=int, default=40, help="field devices, one per village")
    option("--push-rate", type=float, default=50, help="operations a second, all devices")
    option("--operations", type=int, default=25, help="operations per pushed batch")
    option("--resend", type=float, default=0.05, help="chance of resending an earlier batch")
    option("--list-rate", type=float, default=10, help="household list reads a second")
    option("--indicator-rate", type=float, default=1, help="indicator reads a second")
    option("--feed-every", type=float, default=30, help="seconds between department batches")
    option("--feed-records", type=int, default=500, help="records per department batch")
    option("--workers", type=int, default=1, help="uvicorn workers per app")
    option("--pool", type=int, default=10, help="database pool size per worker")
    option("--connections", type=int, default=20, help="client connections per read kind")
    option("--sample-seconds", type=float, default=30, help="between memory samples")
    option("--max-growth-mib", type=float, default=25, help="allowed growth per app process")
    option(
        "--max-backend-growth-mib",
        type=float,
        default=5,
        help="allowed growth of a PostgreSQL backend's private memory (mean per backend)",
    )
    option(
        "--alone-seconds",
        type=float,
        default=20,
        help="each kind alone this long before the mix, for its CPU per unit (0: skip)",
    )
    option("--grace", type=float, default=60, help="seconds to finish after the end")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_arguments())))
