"""Helpers of the field-sync tests: operations as a device queues them, and pushing them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from httpx import AsyncClient

from services.common.business_time import business_today
from tests.support.identities import VILLAGE
from tests.support.monitoring import person_number

PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"


def op(kind: str, **fields: Any) -> dict[str, Any]:
    return {"operation_id": str(uuid.uuid4()), "kind": kind, **fields}


def visit(household_id: object, findings: str = "走访正常") -> dict[str, Any]:
    return op(
        "record_visit",
        household_id=str(household_id),
        visit={
            "kind": "visit",
            "visited_on": business_today().isoformat(),
            "findings": findings,
            "risk_found": False,
        },
    )


def update_member(
    member_id: object, base_version: int, **changes: tuple[Any, Any]
) -> dict[str, Any]:
    """`changes`: field -> (base, value)."""
    return op(
        "update_member",
        member_id=str(member_id),
        base_version=base_version,
        changes={name: {"base": base, "value": value} for name, (base, value) in changes.items()},
    )


def new_household(village: str = VILLAGE, members: int = 2) -> dict[str, Any]:
    people = [
        {
            "person_number": person_number(birth=date(1970 + i * 20, 6, 1)),
            "name": "赵大山" if i == 0 else f"赵成员{i}",
            "relationship": "head" if i == 0 else "son",
            "labour_ability": "ordinary",
        }
        for i in range(members)
    ]
    return op(
        "create_household",
        household={
            "area_code": village,
            "kind": "ordinary",
            "address": "一组3号",
            "members": people,
        },
    )


async def push(
    client: AsyncClient, headers: dict[str, str], operations: list[Any]
) -> list[dict[str, Any]]:
    answer = await client.post(PUSH, json={"operations": operations}, headers=headers)
    assert answer.status_code == 200, answer.text
    outcomes: list[dict[str, Any]] = answer.json()["outcomes"]
    assert [o["index"] for o in outcomes] == list(range(len(operations)))
    return outcomes
