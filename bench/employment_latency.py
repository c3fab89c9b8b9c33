"""Benchmark: a loan application including its eligibility check (`POST /api/v1/loans`), the
employment service asking the monitoring service about the borrower on every request.

(a) in-process: both apps in this process, employment's monitoring client wired to the
    monitoring app through `httpx.ASGITransport`;
(b) loopback: both apps as real uvicorn processes on 127.0.0.1, the client and the
    employment-to-monitoring call over TCP.

    .venv/bin/python -m bench.employment_latency --requests 1000 --modes inprocess loopback

Every request is a new household's first loan (one loan per household), so each one is the
full path: ID number validated, blind index, monitoring look-up (with its audit row), rules,
loan, schedule, figures, change feed, audit, idempotency record, commit. Requests are sent one
after another (`--concurrency` to overlap them). Uses `dixian_bench_emp_` databases: see
bench/employment_setup.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import os
import time
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from bench import employment_setup as setup
from bench.servers import cpu_seconds, free_port, start_server, stop_servers

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI

WARM_UP = 50


async def seed_people(monitoring: FastAPI, count: int) -> list[str]:
    """`count` exited-poverty households of one member each, written with the monitoring
    service's own models; returns the members' ID numbers."""
    from services.monitoring.models import Household, Member

    protector = monitoring.state.protector
    codes = setup.villages()
    numbers = []
    async with monitoring.state.database.sessionmaker() as session:
        for position in range(count):
            number = setup.person_number(20_000_000 + position, datetime.date(1970, 1, 1))
            numbers.append(number)
            protected = protector.person_number(number)
            household = Household(
                id=uuid.uuid4(),
                area_code=codes[position % len(codes)],
                kind="exited_poverty",
                head_name="王建国",
                monitoring_status="none",
                risk_types=[],
                member_count=1,
                version=1,
            )
            session.add(household)
            session.add(
                Member(
                    id=uuid.uuid4(),
                    household_id=household.id,
                    area_code=household.area_code,
                    person_number_cipher=protected.cipher,
                    person_number_index=protected.index,
                    person_number_masked=protected.masked,
                    person_number_kind=protected.parsed.kind,
                    name="王建国",
                    sex=protected.parsed.sex,
                    birth_date=protected.parsed.birth_date,
                    relationship="head",
                    labour_ability="ordinary",
                    version=1,
                )
            )
            if position % 500 == 499:
                await session.flush()
        await session.commit()
    return numbers


def application(number: str) -> dict[str, Any]:
    return {
        "person_number": number,
        "borrower_name": "王建国",
        "bank": "柘城农商银行",
        "amount": "30000.00",
        "term_months": 36,
        "annual_rate": "3.45",
        "interest_subsidy_rate": "3.45",
        "issue_date": "2026-03-01",
    }


async def run_requests(
    client: httpx.AsyncClient, numbers: list[str], concurrency: int
) -> list[float]:
    headers = setup.token("county_admin", setup.COUNTY)
    gate = asyncio.Semaphore(concurrency)
    timings: list[float] = []

    async def one(number: str, measured: bool) -> None:
        async with gate:
            started = time.perf_counter()
            answer = await client.post(
                "/api/v1/loans",
                json=application(number),
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )
            elapsed = time.perf_counter() - started
        assert answer.status_code == 201, answer.text[:300]
        if measured:
            timings.append(elapsed)

    for number in numbers[:WARM_UP]:
        await one(number, False)
    await asyncio.gather(*(one(number, True) for number in numbers[WARM_UP:]))
    return timings


def without_pre_ping(app: FastAPI) -> None:
    """The app's pool as the kit makes it, minus the ping before each checkout: what the kit
    would save with `pool_pre_ping=False` (and `pool_recycle` instead)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from services.common.database import Database

    settings = app.state.settings
    app.state.database = Database(
        create_async_engine(
            settings.service_database_url(app.state.database_name),
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_pool_size,
            pool_pre_ping=False,
            connect_args={"server_settings": {"role": settings.database_role}},
        )
    )


@contextlib.asynccontextmanager
async def in_process(pre_ping: bool = True) -> AsyncIterator[httpx.AsyncClient]:
    import httpx

    from services.employment.app import build_app as build_employment
    from services.monitoring.app import build_app as build_monitoring

    monitoring, employment = build_monitoring(), build_employment()
    if not pre_ping:
        without_pre_ping(monitoring)
        without_pre_ping(employment)
    employment.state.monitoring = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=monitoring), base_url="http://monitoring"
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=employment), base_url="http://employment"
    ) as client:
        yield client
    await employment.state.monitoring.aclose()
    for app in (monitoring, employment):
        await app.state.database.dispose()


@contextlib.asynccontextmanager
async def over_loopback() -> AsyncIterator[httpx.AsyncClient]:
    import httpx

    ports = {"monitoring": free_port(), "employment": free_port()}
    env = {
        **os.environ,
        "EMPLOYMENT_MONITORING_URL": f"http://127.0.0.1:{ports['monitoring']}",
        "LOG_LEVEL": "WARNING",
    }
    processes = [start_server(name, port, env) for name, port in ports.items()]
    try:
        async with httpx.AsyncClient(timeout=10) as probe:
            for port in ports.values():
                for _ in range(200):
                    with contextlib.suppress(httpx.TransportError):
                        if (await probe.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                            break
                    await asyncio.sleep(0.1)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{ports['employment']}", timeout=30
        ) as client:
            client.servers = dict(zip(ports, processes, strict=True))  # type: ignore[attr-defined]
            yield client
    finally:
        stop_servers(processes)


async def main(arguments: argparse.Namespace) -> None:
    setup.use_prefix(setup.LATENCY_PREFIX)
    settings = setup.prepare()
    employment_db = await setup.connect(settings, "employment")
    monitoring_db = await setup.connect(settings, "monitoring")
    print("## Machine")
    setup.print_facts(await setup.machine_facts(employment_db))
    from services.monitoring.app import build_app as build_monitoring

    modes = {
        "inprocess": in_process,
        "inprocess-no-pre-ping": lambda: in_process(pre_ping=False),
        "loopback": over_loopback,
    }
    per_mode = arguments.requests + WARM_UP
    seeding = build_monitoring()
    for mode in arguments.modes:
        await setup.clean_employment(employment_db)
        await monitoring_db.execute("TRUNCATE households, members CASCADE")
        numbers = await seed_people(seeding, per_mode)
        load = setup.load_average()
        async with modes[mode]() as client:
            servers = getattr(client, "servers", {})
            before = {name: cpu_seconds(process.pid) for name, process in servers.items()}
            cpu = time.process_time()
            timings = await run_requests(client, numbers, arguments.concurrency)
            cpu = (time.process_time() - cpu) / len(numbers)
            after = {name: cpu_seconds(process.pid) for name, process in servers.items()}
        where = "client and both apps" if mode.startswith("inprocess") else "client only"
        print(
            f"\n## {mode}, concurrency {arguments.concurrency} (load average before: {load})\n"
            f"- {setup.latency_summary(timings)}\n"
            f"- CPU of this process ({where}): {cpu * 1000:.1f} ms a request"
        )
        for name in servers:
            used = (after[name] - before[name]) / len(numbers)
            print(f"- CPU of the {name} process: {used * 1000:.1f} ms a request")
    await seeding.state.database.dispose()
    print(f"\nLoad average at the end: {setup.load_average()}")
    await setup.clean_employment(employment_db)
    await monitoring_db.execute("TRUNCATE households, members CASCADE")
    await employment_db.close()
    await monitoring_db.close()


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=["inprocess", "inprocess-no-pre-ping", "loopback"],
        default=["inprocess", "loopback"],
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_arguments()))
