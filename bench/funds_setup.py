"""What the funds benchmarks share: their own databases (prefix `dixian_bench_`, never the dev
or test ones), a clean slate, tokens, seeding over asyncpg, and the facts of the machine."""

from __future__ import annotations

import os

# Before any settings are read: the benchmarks' databases only (`FUNDS_BENCH_PREFIX`, e.g.
# `dixian_bench_mine_`, keeps one engineer's runs off another's).
os.environ["DATABASE_PREFIX"] = os.environ.get("FUNDS_BENCH_PREFIX", "dixian_bench_")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import platform
import subprocess
import sys
from datetime import UTC, datetime

import asyncpg

from scripts import bootstrap
from services.common.settings import CommonSettings

# Every funds table the benchmarks write; the append-only audit log stays (it refuses TRUNCATE).
TABLES = (
    "payments",
    "fund_links",
    "project_transitions",
    "assets",
    "projects",
    "allocations",
    "fund_figures",
    "fund_rules",
    "changes",
    "idempotency_keys",
)
COUNTY = "411424000000"
CITY = "411400000000"


def prepare() -> CommonSettings:
    """Server up, the bench databases created and migrated to head."""
    settings = bootstrap.prepare()
    assert settings.database_prefix.startswith("dixian_bench_"), settings.database_prefix
    return settings


def funds_dsn(settings: CommonSettings) -> str:
    url = settings.service_database_url("funds", driver="postgresql")
    return url.render_as_string(hide_password=False)


async def reset(connection: asyncpg.Connection) -> None:
    await connection.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


def token(role: str = "county_admin", area: str = COUNTY) -> str:
    """A token minted the way the gateway does, with the development key."""
    from gateway.auth.issuer import TokenIssuer
    from gateway.settings import GatewaySettings
    from services.common.settings import DEV_SIGNING_KEY, DEV_SIGNING_KEY_ID

    issuer = TokenIssuer(
        GatewaySettings(signing_key=DEV_SIGNING_KEY, signing_key_id=DEV_SIGNING_KEY_ID)
    )
    minted, _ = issuer.issue(
        subject=f"user:bench-{role}", role=role, area=area, scopes=[], name="bench"
    )
    return minted


def _first(path: str, prefix: str) -> str:
    with open(path, encoding="utf-8") as lines:
        return next(line.split(":", 1)[1].strip() for line in lines if line.startswith(prefix))


async def machine_facts(connection: asyncpg.Connection) -> dict[str, str]:
    memory_kb = int(_first("/proc/meminfo", "MemTotal").split()[0])
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "cpu": _first("/proc/cpuinfo", "model name") or platform.processor(),
        "postgresql": str(await connection.fetchval("SHOW server_version")),
        "python": platform.python_version(),
        "load average before": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def start_uvicorn(port: int, *, workers: int = 1, pool: int = 20) -> subprocess.Popen[bytes]:
    """The funds app under uvicorn on a loopback port, in its own processes."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "services.funds.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
        ],
        env={**os.environ, "DATABASE_POOL_SIZE": str(pool)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def print_facts(facts: dict[str, str]) -> None:
    for name, value in facts.items():
        print(f"  {name:20} {value}")
