"""Benchmark: 1,000 concurrent payment requests spread over 100 projects, against links that
together hold 90% of what the requests ask, so each link refuses its last request (no
overspend is checked afterwards, to the fen). Run: `.venv/bin/python -m bench.funds_payments`.

Runs, each on freshly seeded data:
- `uvicorn`: the real app in its own worker processes on a loopback port (uvloop, httptools),
  driven from this process by a lean keep-alive HTTP/1.1 client over 100 connections
  (bench/funds_loopback.py: httpx would spend as much CPU as the server, on the same cores);
- `replicas`: as many single-worker uvicorn processes as `--workers`, each on its own port,
  the client's connections split evenly between them (a load balancer in front of replicas).
  uvicorn's workers share one listening socket, and the first to wake accepts every
  connection already waiting: the `uvicorn` run's 100 connections, opened at once, may all
  land on one worker (its line shows each worker's share of the CPU);
- `in-process`: the same app through httpx.ASGITransport with a real connection pool;
- `kit-noop`: for context, an empty POST endpoint on the kit's unit of work (token check,
  idempotency, transaction, commit) in-process: the ceiling of any POST on this machine;
- `floor`: only the conditional UPDATEs of the link totals, each its own transaction, issued
  directly over an asyncpg pool of the same size;
- `cpu` (only when asked): the server's CPU time per request, one request at a time.

The uvicorn and cpu runs also print the CPU seconds of the app's processes and of the
database's backends per request: on a shared machine, CPU time says more than wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from fastapi import Request

from bench.funds_backends import BackendMeter
from bench.funds_loopback import LoopbackClient
from bench.funds_payment_data import (
    AMOUNT,
    LINK_HOLDS,
    PROJECTS,
    REQUESTS,
    UPDATE,
    YEAR,
    check,
    seed,
)
from bench.funds_setup import (
    funds_dsn,
    machine_facts,
    prepare,
    print_facts,
    start_uvicorn,
    token,
)
from services.common.app import create_app
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.settings import CommonSettings
from services.funds.access import Clerk
from services.funds.app import build_app
from services.funds.settings import FundsSettings

CONNECTIONS = 100  # keep-alive connections of the uvicorn runs' client


@dataclass
class Result:
    mode: str
    seconds: float
    outcomes: Counter[str]
    latencies: list[float]
    app_cpu: float | None = None  # seconds, the app's processes
    workers_cpu: list[float] | None = None  # seconds, each worker process
    database_cpu: float | None = None  # seconds, the database's backends

    @property
    def what(self) -> str:
        return "empty writes" if self.mode == "kit-noop" else "payments"

    def line(self) -> str:
        done = self.outcomes.get("201", 0) + self.outcomes.get("paid", 0)
        ms = sorted(self.latencies)
        p50 = statistics.median(ms) * 1000 if ms else 0.0
        p95 = ms[int(len(ms) * 0.95) - 1] * 1000 if ms else 0.0
        return (
            f"{self.mode:14} {REQUESTS} requests in {self.seconds:6.3f} s = "
            f"{REQUESTS / self.seconds:7.0f} requests/s, {done / self.seconds:7.0f} {self.what}/s; "
            f"p50 {p50:6.1f} ms, p95 {p95:6.1f} ms; outcomes {dict(self.outcomes)}"
            + self.cpu_line()
        )

    def cpu_line(self) -> str:
        if self.app_cpu is None or self.database_cpu is None:
            return ""
        return (
            f"; CPU per request: app {self.app_cpu / REQUESTS * 1000:.2f} ms, "
            f"database {self.database_cpu / REQUESTS * 1000:.2f} ms"
            + (
                f" (workers {', '.join(f'{seconds:.2f}' for seconds in self.workers_cpu)} s)"
                if self.workers_cpu
                else ""
            )
        )


Send = Callable[[str, str, dict[str, str], Any], Awaitable[int]]


def over_httpx(client: httpx.AsyncClient) -> Send:
    async def send(method: str, path: str, headers: dict[str, str], body: Any) -> int:
        answer = await client.request(method, path, headers=headers, json=body)
        return answer.status_code

    return send


def over_loopbacks(clients: list[LoopbackClient]) -> Send:
    """Requests to the clients in turn."""
    turns = itertools.cycle(clients)

    async def send(method: str, path: str, headers: dict[str, str], body: Any) -> int:
        status, _ = await next(turns).request(method, path, headers, body)
        return status

    return send


async def warm_up(send: Send, links: list[uuid.UUID]) -> None:
    """Fill the pool and the server's caches before the clock starts."""
    headers = {"Authorization": f"Bearer {token()}"}
    await asyncio.gather(
        *(send("GET", f"/api/v1/fund-links/{links[n]}", headers, None) for n in range(60))
    )


async def drive(
    send: Send, mode: str, links: list[uuid.UUID], path: str = "/api/v1/payments"
) -> Result:
    headers = {"Authorization": f"Bearer {token()}"}
    if not mode.startswith("uvicorn"):
        await warm_up(send, links)
    latencies: list[float] = []

    async def one(n: int) -> str:
        started = time.perf_counter()
        body = {
            "link_id": str(links[n % PROJECTS]),
            "amount": str(AMOUNT),
            "voucher_number": f"记-{n:05d}",
            "paid_on": f"{YEAR}-03-01",
        }
        status = await send("POST", path, {**headers, "Idempotency-Key": uuid.uuid4().hex}, body)
        latencies.append(time.perf_counter() - started)
        return str(status)

    started = time.perf_counter()
    statuses = await asyncio.gather(*(one(n) for n in range(REQUESTS)))
    return Result(mode, time.perf_counter() - started, Counter(statuses), latencies)


async def wait_until_up(client: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the app did not come up")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """uvicorn's worker processes (the server itself when it runs one)."""
    with open(f"/proc/{server.pid}/task/{server.pid}/children", encoding="ascii") as children:
        return [int(pid) for pid in children.read().split()] or [server.pid]


async def run_servers(
    links: list[uuid.UUID], pool: int, database: str, mode: str, servers: list[tuple[int, int]]
) -> Result:
    """Start a uvicorn process on each (port, workers), split the client's connections
    between the ports evenly, and drive the payments through them."""
    processes = [start_uvicorn(port, workers=workers, pool=pool) for port, workers in servers]
    try:
        for port, _ in servers:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
                await wait_until_up(probe)
        async with AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(
                    LoopbackClient(port, connections=CONNECTIONS // len(servers))
                )
                for port, _ in servers
            ]
            send = over_loopbacks(clients)
            await warm_up(send, links)
            workers = [pid for process in processes for pid in worker_pids(process)]
            began = [process_seconds(pid) for pid in workers]
            with BackendMeter(database) as backends:
                result = await drive(send, mode, links)
            result.workers_cpu = [
                process_seconds(pid) - before for pid, before in zip(workers, began, strict=True)
            ]
            result.app_cpu = sum(result.workers_cpu)
            result.database_cpu = backends.seconds
            return result
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


async def run_in_process(links: list[uuid.UUID], pool: int) -> Result:
    app = build_app(FundsSettings(database_pool_size=pool))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://funds", timeout=120
        ) as client:
            return await drive(over_httpx(client), "in-process", links)
    finally:
        await app.state.database.dispose()


noop_router = UnitOfWorkRouter()


@noop_router.post("/noop", status_code=201)
async def noop(request: Request, session: SessionDep, principal: Clerk) -> dict[str, str]:
    """An empty write: what every POST costs before it does anything."""
    await request.json()
    return {"id": str(uuid.uuid4())}


@noop_router.get("/fund-links/{link_id}")
async def warm(link_id: uuid.UUID, session: SessionDep, principal: Clerk) -> dict[str, str]:
    return {"id": str(link_id)}


async def run_kit_noop(links: list[uuid.UUID], pool: int) -> Result:
    app = create_app(
        name="funds",
        title="noop",
        description="noop",
        settings=FundsSettings(database_pool_size=pool),
        routers=[noop_router],
    )
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://funds", timeout=120
        ) as client:
            return await drive(over_httpx(client), "kit-noop", links, "/api/v1/noop")
    finally:
        await app.state.database.dispose()


async def run_floor(dsn: str, links: list[uuid.UUID], pool_size: int) -> Result:
    latencies: list[float] = []
    async with asyncpg.create_pool(
        dsn, min_size=pool_size, max_size=pool_size, server_settings={"role": "dixian_app"}
    ) as pool:

        async def one(n: int) -> str:
            started = time.perf_counter()
            async with pool.acquire() as connection:
                version = await connection.fetchval(UPDATE, AMOUNT, links[n % PROJECTS])
            latencies.append(time.perf_counter() - started)
            return "paid" if version is not None else "refused"

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one(n) for n in range(REQUESTS)))
        return Result("asyncpg floor", time.perf_counter() - started, Counter(outcomes), latencies)


def process_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def server_cpu(links: list[uuid.UUID], pool: int, database: str, requests: int) -> None:
    """Server CPU per request, one request at a time to one uvicorn worker: where time goes.
    `requests` of each kind are measured after 20 unmeasured ones (more: less noise from a
    shared machine)."""
    port = free_port()
    server = start_uvicorn(port, workers=1, pool=pool)
    headers = {"Authorization": f"Bearer {token()}"}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
            await wait_until_up(probe)
        async with LoopbackClient(port, connections=1) as client:
            calls = {
                "GET /healthz (no token, no database)": ("GET", "/healthz", {}, None),
                "GET /fund-links/{id}": ("GET", f"/api/v1/fund-links/{links[0]}", headers, None),
                "POST /payments": ("POST", "/api/v1/payments", headers, None),
            }
            for label, (method, path, extra, _) in calls.items():
                for warm in (True, False):
                    began = process_seconds(server.pid)
                    with BackendMeter(database) as backends:
                        for n in range(20 if warm else requests):
                            body = None
                            if method == "POST":
                                body = {
                                    "link_id": str(links[n % PROJECTS]),
                                    "amount": "0.01",
                                    "voucher_number": "cpu",
                                    "paid_on": f"{YEAR}-03-01",
                                }
                                extra = {**headers, "Idempotency-Key": uuid.uuid4().hex}
                            status, _ = await client.request(method, path, extra, body)
                            assert status < 300, status
                used = (process_seconds(server.pid) - began) / requests * 1000
                print(
                    f"  server CPU per request, {label:38} {used:5.2f} ms"
                    f" (database backends {backends.seconds / requests * 1000:5.2f} ms)"
                )
    finally:
        server.terminate()
        server.wait(timeout=30)


async def main(pool: int, modes: list[str], workers: int, cpu_requests: int) -> None:
    settings = prepare()
    dsn = funds_dsn(settings)
    database = settings.service_database_url("funds").database or "funds"
    connection = await asyncpg.connect(dsn)
    try:
        print("Machine:")
        print_facts(await machine_facts(connection))
        print(
            f"Payments: {REQUESTS} concurrent requests of {AMOUNT} over {PROJECTS} links of "
            f"{LINK_HOLDS} each; pool {pool} (+{pool} overflow for the app)"
        )
        results = []
        runners = {
            "uvicorn": lambda links: run_servers(
                links, pool, database, f"uvicorn x{workers}", [(free_port(), workers)]
            ),
            "replicas": lambda links: run_servers(
                links,
                pool,
                database,
                f"replicas x{workers}",
                [(free_port(), 1) for _ in range(workers)],
            ),
            "in-process": lambda links: run_in_process(links, pool),
            "kit-noop": lambda links: run_kit_noop(links, pool),
            "floor": lambda links: run_floor(dsn, links, pool),
        }
        for mode in modes:
            links = await seed(connection)
            if mode == "cpu":
                await server_cpu(links, pool, database, cpu_requests)
                continue
            result = await runners[mode](links)
            if mode != "kit-noop":
                await check(connection, result.mode)
            results.append(result)
        print("Results:")
        for result in results:
            print("  " + result.line())
    finally:
        await connection.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_pool = CommonSettings.model_fields["database_pool_size"].default
    parser.add_argument(
        "--pool",
        type=int,
        default=default_pool,
        help=f"connections per pool (the apps' DATABASE_POOL_SIZE default, {default_pool})",
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (2)")
    parser.add_argument(
        "--modes",
        nargs="+",
        default=["uvicorn", "replicas", "in-process", "kit-noop", "floor"],
        choices=["uvicorn", "replicas", "in-process", "kit-noop", "floor", "cpu"],
    )
    parser.add_argument(
        "--cpu-requests", type=int, default=300, help="requests of each kind in `cpu` (300)"
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.pool, arguments.modes, arguments.workers, arguments.cpu_requests))
