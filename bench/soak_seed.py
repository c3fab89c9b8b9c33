"""The soak test's county: households through the import path (`POST /imports/households` of
the running monitoring process), a province warning rule through the gateway, then what the
simulated officers and the department need to know about it (households by village, the
registered people), and the department's batches of records.

Imported people take ID numbers from `bench.synthetic` (serials from 0), the devices' new
members from `bench.employment_setup` (sequence numbers above 100): the two never collide.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bench import synthetic
from bench.sync_workload import Intended, Known

if TYPE_CHECKING:
    import asyncpg
    import httpx

COUNTY = f"{synthetic.COUNTY}000000"
CITY = f"{synthetic.COUNTY[:4]}00000000"
PROVINCE = f"{synthetic.COUNTY[:2]}0000000000"
RULE_CODE = "soak_inpatient_cost"
# Department records: (source, event type, has an amount); the default rules raise most.
EVENTS = (
    *[("medical_insurance", "inpatient", True)] * 6,
    ("medical_insurance", "outpatient_chronic", True),
    ("civil_affairs", "temporary_assistance", True),
    ("housing", "house_rated_c", False),
    ("education", "school_costs", True),
)
UNREGISTERED_SERIALS = 150_000_000  # synthetic serials far above any imported person


@dataclass
class County:
    """What the workload knows of the seeded county."""

    villages: list[str]
    households: dict[str, list[Known]]  # by village
    people: list[tuple[str, str]]  # (ID number, village) of imported members


async def import_households(
    client: httpx.AsyncClient, headers: dict[str, str], members: int, villages: int
) -> dict[str, Any]:
    """The county's register as a county administrator uploads it (CSV, one import)."""
    body = synthetic.Population(members, scope="county", village_count=villages).csv()
    answer = await client.post(
        "/api/v1/imports/households",
        content=body,
        headers={**headers, "Content-Type": "text/csv"},
        timeout=600,
    )
    if answer.status_code != 200:
        raise RuntimeError(f"import answered {answer.status_code}: {answer.text[:300]}")
    report: dict[str, Any] = answer.json()
    return report


async def create_rule(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """A province rule stricter than the national default for inpatient costs (预警规则)."""
    answer = await client.post(
        "/api/v1/monitoring/warning-rules",
        json={
            "province_code": PROVINCE,
            "code": RULE_CODE,
            "source": "medical_insurance",
            "event_type": "inpatient",
            "condition": {
                "match": "amount",
                "at_least": {"exited_poverty": "3000.00", "ordinary": "15000.00"},
            },
            "risk_type": "illness",
            "description": "住院自付费用：脱贫人口3000元以上，其他人员15000元以上（压测）",
        },
        headers={**headers, "Idempotency-Key": f"soak-rule-{uuid.uuid4()}"},
    )
    if answer.status_code != 201:
        raise RuntimeError(f"rule answered {answer.status_code}: {answer.text[:300]}")


async def county(admin: asyncpg.Connection, members: int, intended: Intended) -> County:
    """Households of each village as the registry holds them after the import; the totals
    the end-of-run check starts from."""
    rows = await admin.fetch(
        "SELECT id::text, area_code, address, version FROM households ORDER BY area_code, id"
    )
    households: dict[str, list[Known]] = {}
    for row in rows:
        households.setdefault(row["area_code"], []).append(
            Known(row["id"], row["address"], row["version"])
        )
        intended.addresses[row["id"]] = row["address"]
    intended.households += len(rows)
    intended.members += await admin.fetchval("SELECT count(*) FROM members")
    people = [
        (str(row["person_number"]), str(row["village"]))
        for row in synthetic.Population(
            members, scope="county", village_count=len(households)
        ).rows()
    ]
    return County(sorted(households), households, people)


def feed_records(
    registry: County, tag: str, count: int, rng: random.Random
) -> list[dict[str, Any]]:
    """`count` records of a month's exchange: half about registered people, half about people
    the registry does not hold (leads); record ids unique to the batch (`tag`)."""
    records = []
    for position in range(count):
        source, event_type, with_amount = EVENTS[position % len(EVENTS)]
        if position % 2 == 0:
            number, village = rng.choice(registry.people)
        else:
            number = synthetic.person_number(UNREGISTERED_SERIALS + rng.randrange(10**6))
            village = rng.choice(registry.villages)
        amount = None
        if with_amount:
            amount = str(Decimal(rng.randrange(30_000, 3_000_000)) / 100)
        records.append(
            {
                "record_id": f"{tag}-{position}",
                "source": source,
                "person_number": number,
                "name": "王建国",
                "area_code": village,
                "event_type": event_type,
                "event_date": f"2026-{1 + position % 10:02d}-{1 + position % 28:02d}",
                "amount": amount,
                "details": {"note": "月度比对"},
            }
        )
    return records
