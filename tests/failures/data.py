"""What the failure tests write (households, import files, department records) and how they
read back what the throwaway database holds, as its superuser, without going through the apps."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from itertools import count
from typing import Any

import psycopg

from services.common.auth.roles import Role
from services.common.business_time import business_today
from tests.support.identities import TokenFactory
from tests.support.monitoring import person_number

_people = count()


def new_person_number() -> str:
    """A valid ID number no other call returns (person_number varies the serial; the birth
    date keeps the numbers apart across many calls)."""
    serial = next(_people)
    birth = date(1940, 1, 1) + timedelta(days=serial % 20000)
    return person_number(birth=birth)


def household(village: str, members: int = 3) -> dict[str, Any]:
    """A `POST /households` body: a head and `members - 1` children."""
    return {
        "area_code": village,
        "kind": "ordinary",
        "address": "三组12号",
        "members": [
            {
                "person_number": new_person_number(),
                "name": "王建国" if position == 0 else f"王成员{position}",
                "relationship": "head" if position == 0 else "son",
                "labour_ability": "ordinary",
            }
            for position in range(members)
        ],
    }


def import_file(village: str, households: int, members: int) -> tuple[bytes, list[str]]:
    """An NDJSON import file (one row per member) and the ID numbers of its people."""
    lines, numbers = [], []
    for number in range(households):
        for position in range(members):
            person = new_person_number()
            numbers.append(person)
            row = {
                "household_number": f"{village}-{number:05d}",
                "village": village,
                "kind": "ordinary",
                "person_number": person,
                "name": "李秀英" if position == 0 else f"李成员{position}",
                "relationship": "head" if position == 0 else "son",
                "labour_ability": "ordinary",
            }
            lines.append(json.dumps(row, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode(), numbers


def inpatient_records(numbers: list[str], village: str, per_person: int) -> list[dict[str, Any]]:
    """`per_person` medical-insurance records (30,000 yuan out of pocket) for each person."""
    event_date = (business_today() - timedelta(days=7)).isoformat()
    return [
        {
            "record_id": f"MI-{village}-{index}-{repeat}",
            "source": "medical_insurance",
            "person_number": number,
            "name": "李秀英",
            "area_code": village,
            "event_type": "inpatient",
            "event_date": event_date,
            "amount": "30000.00",
            "details": {"diagnosis": "肺炎"},
        }
        for repeat in range(per_person)
        for index, number in enumerate(numbers)
    ]


def ndjson(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in records).encode()


def bearer(tokens: TokenFactory, role: Role, area: str, name: str) -> dict[str, str]:
    return tokens.headers(role, area, sub=f"user:failures-{name}")


async def rows(
    url: str, query: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[tuple[Any, ...]]:
    """Run one query on a throwaway database as its superuser."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        cursor = await connection.execute(query, params)  # type: ignore[arg-type]
        return list(await cursor.fetchall())


async def scalar(url: str, query: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
    found = await rows(url, query, params)
    return found[0][0] if found else None
