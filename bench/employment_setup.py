"""What the employment benchmarks share: their own databases (never the dev or test ones),
synthetic labourers and people, tokens, a clean slate, streamed uploads, and the machine's
facts for docs/benchmarks.md.

The bulk benchmarks use `DATABASE_PREFIX=dixian_bench_` and touch only the employment
database. The latency benchmark also writes people into a monitoring database, which other
benchmarks on `dixian_bench_` empty while they run, so it uses `dixian_bench_emp_`: set the
prefix with `use_prefix` before anything reads the settings.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import statistics
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncpg

    from services.common.settings import CommonSettings

BULK_PREFIX = "dixian_bench_"
LATENCY_PREFIX = "dixian_bench_emp_"
COUNTY = "411424000000"
REGIONS = ("411424", "411421", "411422", "411423", "411425", "411426")
_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_CHECK = "10X98765432"
EMPLOYMENT_TABLES = (
    "employment_spells",
    "labourer_years",
    "area_figures",
    "changes",
    "idempotency_keys",
    "loan_events",
    "loan_installments",
    "new_loan_households",
    "subsidies",
    "trainings",
    "loans",
    "labourers",
)


def use_prefix(prefix: str) -> None:
    """Point every settings object at the benchmark's databases (before any is built)."""
    os.environ["DATABASE_PREFIX"] = prefix
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def prepare() -> CommonSettings:
    """The benchmark's databases created and migrated (embedded server unless DATABASE_URL)."""
    from scripts import bootstrap

    settings = bootstrap.prepare()
    assert settings.database_prefix.startswith(BULK_PREFIX), settings.database_prefix
    return settings


def person_number(serial: int, first_birth: datetime.date = datetime.date(1966, 1, 1)) -> str:
    """The `serial`-th distinct valid resident ID number, born within 35 years of first_birth."""
    days = 35 * 365
    region = REGIONS[serial % len(REGIONS)]
    birth = first_birth + datetime.timedelta(days=(serial // len(REGIONS)) % days)
    sequence = serial // (len(REGIONS) * days)
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    check = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11
    return body + _CHECK[check]


def villages(count: int = 300) -> list[str]:
    return [f"411424{101 + i // 30:03d}{201 + i % 30:03d}" for i in range(count)]


def token(role: str, area: str) -> dict[str, str]:
    from gateway.auth.issuer import TokenIssuer
    from gateway.settings import GatewaySettings
    from services.common.settings import DEV_SIGNING_KEY, DEV_SIGNING_KEY_ID

    issuer = TokenIssuer(
        GatewaySettings(signing_key=DEV_SIGNING_KEY, signing_key_id=DEV_SIGNING_KEY_ID)
    )
    minted, _ = issuer.issue(
        subject=f"user:bench-{role}-{uuid.uuid4().hex[:6]}",
        role=role,
        area=area,
        scopes=[],
        name="bench",
    )
    return {"Authorization": f"Bearer {minted}"}


async def connect(settings: CommonSettings, database: str) -> asyncpg.Connection:
    """A connection as the server's owner (TRUNCATE, seeding, the COPY floor)."""
    import asyncpg

    url = settings.service_database_url(database, driver="postgresql")
    return await asyncpg.connect(url.render_as_string(hide_password=False))


async def clean_employment(connection: asyncpg.Connection) -> None:
    """Empty what the benchmarks write (the audit log is append-only and stays)."""
    await connection.execute(f"TRUNCATE {', '.join(EMPLOYMENT_TABLES)} RESTART IDENTITY CASCADE")
    await connection.execute("CHECKPOINT")


async def seed_labourers(
    connection: asyncpg.Connection, count: int, first_serial: int = 0
) -> list[str]:
    """`count` registered labourers over 300 villages of one county, written directly (their
    registration through monitoring is not what is measured); returns their ID numbers."""
    from services.common.personal_data import BlindIndex
    from services.common.personal_data.masking import mask_person_number
    from services.common.settings import CommonSettings

    index = BlindIndex.from_setting(CommonSettings().blind_index_key)
    codes = villages()
    numbers, rows = [], []
    for position in range(count):
        number = person_number(first_serial + position)
        numbers.append(number)
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        rows.append(
            (
                uuid.uuid4(),
                codes[position % len(codes)],
                uuid.uuid4(),
                uuid.uuid4(),
                index.digest(number),
                mask_person_number(number),
                "王劳动",
                "male" if int(number[16]) % 2 else "female",
                birth,
                "exited_poverty" if position % 3 else "ordinary",
                "none" if position % 3 else "monitored",
                "ordinary",
                1,
            )
        )
    await connection.copy_records_to_table(
        "labourers",
        records=rows,
        columns=[
            "id",
            "area_code",
            "member_id",
            "household_id",
            "person_number_index",
            "person_number_masked",
            "name",
            "sex",
            "birth_date",
            "household_kind",
            "monitoring_status",
            "labour_ability",
            "version",
        ],
    )
    await connection.execute("ANALYZE labourers")
    return numbers


async def pieces(body: bytes, size: int = 1 << 20) -> AsyncIterator[bytes]:
    """The body in 1 MiB pieces, as a network upload arrives."""
    view = memoryview(body)
    for start in range(0, len(body), size):
        yield bytes(view[start : start + size])
        await asyncio.sleep(0)


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency_summary(seconds: list[float]) -> str:
    ms = [value * 1000 for value in seconds]
    return (
        f"{len(ms)} requests: p50 {statistics.median(ms):.1f} ms, "
        f"p95 {percentile(ms, 0.95):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms, "
        f"max {max(ms):.1f} ms"
    )


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _proc(name: str) -> list[str]:
    return Path("/proc", name).read_text(encoding="utf-8").splitlines()


async def machine_facts(connection: asyncpg.Connection) -> dict[str, str]:
    cpuinfo, meminfo = _proc("cpuinfo"), _proc("meminfo")
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "?")
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {
        "date": datetime.datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "postgres": str(await connection.fetchval("SHOW server_version")),
        "load average at start (1, 5, 15 min)": load_average(),
    }


def print_facts(facts: dict[str, str]) -> None:
    for name, value in facts.items():
        print(f"- {name}: {value}")
