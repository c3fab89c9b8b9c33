"""What the monitoring benchmarks share: their own databases (prefix `dixian_bench_`, never the
dev or test ones), the monitoring app in-process, tokens, a clean slate, streamed uploads, and
the facts of the machine for docs/benchmarks.md."""

from __future__ import annotations

import os

# Before any settings are read: the benchmarks' databases only.
os.environ["DATABASE_PREFIX"] = "dixian_bench_"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from fastapi import FastAPI

from scripts import bootstrap
from services.common.settings import CommonSettings

# Tables the import writes (CASCADE empties what refers to households); the audit log is
# append-only and stays, and the code lists come from a migration.
TABLES = ("households", "members", "member_moves", "changes", "area_figures")


def prepare() -> CommonSettings:
    """Bench databases created and migrated (the embedded server unless DATABASE_URL is set)."""
    settings = bootstrap.prepare()
    assert settings.database_prefix == "dixian_bench_"
    return settings


def monitoring_app() -> FastAPI:
    from services.monitoring.app import build_app

    return build_app()


def token(role: str, area: str) -> dict[str, str]:
    from gateway.auth.issuer import TokenIssuer
    from gateway.settings import GatewaySettings
    from services.common.settings import DEV_SIGNING_KEY, DEV_SIGNING_KEY_ID

    issuer = TokenIssuer(
        GatewaySettings(signing_key=DEV_SIGNING_KEY, signing_key_id=DEV_SIGNING_KEY_ID)
    )
    minted, _ = issuer.issue(
        subject=f"user:bench-{role}", role=role, area=area, scopes=[], name="bench"
    )
    return {"Authorization": f"Bearer {minted}"}


async def admin_connection(settings: CommonSettings) -> asyncpg.Connection:
    """A connection as the server's owner (for TRUNCATE and COPY of the floor)."""
    url = settings.service_database_url("monitoring", driver="postgresql")
    return await asyncpg.connect(url.render_as_string(hide_password=False))


async def clean(connection: asyncpg.Connection) -> None:
    """Empty tables as on a fresh installation. TRUNCATE keeps the columns' statistics from
    before while resetting the sizes; ANALYZE makes them agree again, as they would on a
    database that never held the rows."""
    await connection.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    await connection.execute(f"ANALYZE {', '.join(TABLES)}")
    await connection.execute("CHECKPOINT")


@asynccontextmanager
async def in_process_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://monitoring", timeout=None
    ) as client:
        yield client
    await app.state.database.dispose()


async def pieces(body: bytes, size: int = 1 << 20) -> AsyncIterator[bytes]:
    """The body in 1 MiB pieces, as a network upload arrives."""
    view = memoryview(body)
    for start in range(0, len(body), size):
        yield bytes(view[start : start + size])
        await asyncio.sleep(0)


@dataclass
class Heartbeat:
    """Pings `/healthz` through the app every `every` seconds while a long request runs, to
    show whether the event loop keeps serving other requests."""

    client: httpx.AsyncClient
    every: float = 0.05

    def __post_init__(self) -> None:
        self.latencies: list[float] = []
        self._stop = asyncio.Event()

    async def run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            await self.client.get("/healthz")
            self.latencies.append(time.perf_counter() - started)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.every)

    def stop(self) -> None:
        self._stop.set()

    def summary(self) -> str:
        if not self.latencies:
            return "no pings"
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (
            f"{len(ordered)} pings, p50 {statistics.median(ordered) * 1000:.1f} ms, "
            f"p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"
        )


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def child_pids() -> list[int]:
    """This process's children: the import's worker processes."""
    me = str(os.getpid())
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me:
                children.append(int(entry.name))
    return children


@dataclass
class CpuMeter:
    """CPU used by the app process, its worker processes and the app's database backends,
    which does not depend on what else the machine runs (wall time does)."""

    admin: asyncpg.Connection

    async def sample(self) -> dict[str, float]:
        backends = await self.admin.fetch(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {
            "app": time.process_time(),
            "workers": sum(cpu_seconds(pid) for pid in child_pids()),
            "database": sum(cpu_seconds(row["pid"]) for row in backends),
        }

    @staticmethod
    def used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {name: after[name] - before.get(name, 0.0) for name in after}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def host_facts() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "?")
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "cpu": cpu,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


async def machine_facts(connection: asyncpg.Connection) -> dict[str, str]:
    settings = {
        row["name"]: row["value"]
        for row in await connection.fetch(
            "SELECT name, current_setting(name) AS value FROM pg_settings "
            "WHERE name = ANY($1::text[])",
            ["shared_buffers", "max_wal_size", "synchronous_commit", "work_mem"],
        )
    }
    return {
        **host_facts(),
        "postgres": str(await connection.fetchval("SHOW server_version")),
        "postgres settings": ", ".join(f"{k}={v}" for k, v in sorted(settings.items())),
    }


def print_facts(facts: dict[str, str]) -> None:
    for name, value in facts.items():
        print(f"- {name}: {value}")
