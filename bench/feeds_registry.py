"""The feed benchmark's registry: 3,500,000 people in 1,000,000 households of 湖南省 (province
43), written straight into the monitoring tables with COPY. The feed benchmarks have their own
databases, `dixian_bench_feeds_*` (created and migrated by `scripts/bootstrap.py` `prepare()`):
the other monitoring benchmarks empty `dixian_bench_monitoring` between their runs.

Fast synthetic rows: every member's blind index is the app's own (`Protector`), so matching
is real; every ciphertext is one fixed encrypted value (encrypting 3.5 million numbers would
only slow the setup, and nothing in the benchmark decrypts them). Ids are sequential UUIDs so
the primary keys fill in order.

`python -m bench.feeds_registry` loads it if it is missing (a few minutes; run it in the
background and poll), `--reload` drops and loads it again.
"""

from __future__ import annotations

import os

# Before any settings are read: the feed benchmarks' own databases only.
os.environ["DATABASE_PREFIX"] = "dixian_bench_feeds_"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import argparse
import asyncio
import csv
import datetime
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg

from scripts import bootstrap
from services.common.personal_data import BlindIndex, Keyring, Protector
from services.common.personal_data.protector import PERSON_NUMBER
from services.common.settings import CommonSettings

PREFIX = os.environ["DATABASE_PREFIX"]
PEOPLE = 3_500_000
PROVINCE_PREFIX = "43"
LOW, HIGH = "430000000000", "439999999999"
DIVISIONS = Path(__file__).resolve().parents[1] / "gateway" / "areas" / "data" / "divisions.csv"
_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_CHECK = "10X98765432"
_FIRST_BIRTH = datetime.date(1945, 1, 1)
_BIRTH_DAYS = 365 * 70
HOUSEHOLD_IDS = 0x4300_0000_0000_0000  # high bits of the households' sequential ids
MEMBER_IDS = 0x4301_0000_0000_0000
# Households alternate 3 and 4 people: 7 people per pair, 3.5 on average.
PAIR = (3, 4)


def _counties() -> list[str]:
    with DIVISIONS.open(encoding="utf-8") as source:
        return [
            row["code"][:6]
            for row in csv.DictReader(source)
            if row["code"].startswith(PROVINCE_PREFIX) and row["level"] == "county"
        ]


COUNTIES = _counties()
VILLAGES = [
    f"{county}{township:03d}{village:03d}"
    for county in COUNTIES[:100]
    for township in range(101, 111)
    for village in range(201, 221)
]


def check_digit(body: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def person_number(serial: int, *, unregistered: bool = False) -> str:
    """The `serial`-th registry person's ID number (or of a person the registry does not
    hold, from a disjoint range of sequence numbers)."""
    regions = len(COUNTIES)
    birth = _FIRST_BIRTH + datetime.timedelta(days=(serial // regions) % _BIRTH_DAYS)
    sequence = serial // (regions * _BIRTH_DAYS) + (500 if unregistered else 0)
    body = f"{COUNTIES[serial % regions]}{birth:%Y%m%d}{sequence:03d}"
    return body + check_digit(body)


def household_of(person: int) -> int:
    pair, offset = divmod(person, sum(PAIR))
    return pair * 2 + (0 if offset < PAIR[0] else 1)


def village_of(person: int) -> str:
    return VILLAGES[household_of(person) % len(VILLAGES)]


def prepare() -> CommonSettings:
    """Bench databases created and migrated (the embedded server unless DATABASE_URL is set)."""
    settings = bootstrap.prepare()
    assert settings.database_prefix == PREFIX
    return settings


def protector(settings: CommonSettings) -> Protector:
    return Protector(
        Keyring.from_setting(settings.data_keys, settings.data_key_current),
        BlindIndex.from_setting(settings.blind_index_key),
    )


def _households() -> Iterator[tuple[object, ...]]:
    for household in range(household_of(PEOPLE - 1) + 1):
        size = PAIR[household % 2]
        kind = "exited_poverty" if household % 5 < 2 else "ordinary"
        yield (
            uuid.UUID(int=HOUSEHOLD_IDS + household),
            VILLAGES[household % len(VILLAGES)],
            kind,
            "王建国",
            "none",
            size,
            1,
        )


def _members(protect: Protector) -> Iterator[tuple[object, ...]]:
    cipher = protect.keyring.encrypt("430102194501010000", PERSON_NUMBER)
    for person in range(PEOPLE):
        number = person_number(person)
        household = household_of(person)
        head = person == 0 or household_of(person - 1) != household
        yield (
            uuid.UUID(int=MEMBER_IDS + person),
            uuid.UUID(int=HOUSEHOLD_IDS + household),
            VILLAGES[household % len(VILLAGES)],
            cipher,
            protect.person_number_index(number),
            number[:6] + "********" + number[-4:],
            "resident_id",
            "王建国" if head else "王成员",
            "male" if int(number[16]) % 2 else "female",
            datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
            "head" if head else "son",
            "ordinary",
            True,
            False,
            False,
            False,
            True,
            1,
        )


async def registered_people(connection: asyncpg.Connection) -> int:
    return int(
        await connection.fetchval(
            "SELECT count(*) FROM members WHERE area_code BETWEEN $1 AND $2", LOW, HIGH
        )
    )


async def load(settings: CommonSettings, *, reload: bool = False) -> dict[str, float]:
    """Load the registry unless it is there already; the seconds each part took."""
    url = settings.service_database_url("monitoring", driver="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        present = await registered_people(connection)
        if present == PEOPLE and not reload:
            return {}
        await _drop(connection)
        started = time.perf_counter()
        await connection.copy_records_to_table(
            "households",
            records=_households(),
            columns=(
                "id", "area_code", "kind", "head_name", "monitoring_status", "member_count",
                "version",
            ),
        )  # fmt: skip
        households = time.perf_counter()
        await connection.copy_records_to_table(
            "members",
            records=_members(protector(settings)),
            columns=(
                "id", "household_id", "area_code", "person_number_cipher", "person_number_index",
                "person_number_masked", "person_number_kind", "name", "sex", "birth_date",
                "relationship", "labour_ability", "medical_insurance", "pension_insurance",
                "minimum_living_allowance", "extreme_poverty_support", "active", "version",
            ),
        )  # fmt: skip
        members = time.perf_counter()
        await connection.execute("ANALYZE households")
        await connection.execute("ANALYZE members")
        assert await registered_people(connection) == PEOPLE
        return {"households_s": households - started, "members_s": members - households}
    finally:
        await connection.close()


async def _drop(connection: asyncpg.Connection) -> None:
    """Remove this registry (and what the feed benchmark raised on it), nothing else."""
    await connection.execute(
        "DELETE FROM department_warning_events WHERE warning_id IN "
        "(SELECT id FROM department_warnings WHERE area_code BETWEEN $1 AND $2)",
        LOW,
        HIGH,
    )
    await connection.execute(
        "DELETE FROM department_warnings WHERE area_code BETWEEN $1 AND $2", LOW, HIGH
    )
    await connection.execute("DELETE FROM members WHERE area_code BETWEEN $1 AND $2", LOW, HIGH)
    await connection.execute("DELETE FROM households WHERE area_code BETWEEN $1 AND $2", LOW, HIGH)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    settings = prepare()
    took = asyncio.run(load(settings, reload=args.reload))
    print(took or f"the registry of {PEOPLE} people is in place")


if __name__ == "__main__":
    main()
