"""Two officers cannot advance one case at once: steps carry If-Match and Idempotency-Key."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from tests.monitoring.cases.support import (
    CASES,
    Staff,
    act,
    act_ok,
    identification,
    open_ok,
    problem,
)
from tests.support.identities import TokenFactory
from tests.support.monitoring import create_household


async def test_a_stale_version_is_412_with_the_current_case(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **identification(household))
        await act_ok(client, staff.officer, case, "home_verification", consent_signed=True)
        stale = await act(client, staff.officer, case, "home_verification", consent_signed=True)
        body = problem(stale, 412, "version_mismatch")
        assert body["current"]["version"] == 2
        assert body["current"]["state"] == "data_comparison"
        assert stale.headers["ETag"] == '"2"'
        missing = await client.post(
            f"{CASES}/{case['id']}/steps",
            json={"step": "data_comparison", "action": "complete"},
            headers={**staff.officer, "Idempotency-Key": str(uuid.uuid4())},
        )
        problem(missing, 428, "precondition_required")


async def test_a_replayed_step_is_answered_from_the_store_not_taken_twice(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **identification(household))
        headers = {**staff.officer, "Idempotency-Key": "step-1", "If-Match": '"1"'}
        body = {"step": "home_verification", "action": "complete", "consent_signed": True}
        first = await client.post(f"{CASES}/{case['id']}/steps", json=body, headers=headers)
        again = await client.post(f"{CASES}/{case['id']}/steps", json=body, headers=headers)
        assert first.status_code == again.status_code == 200
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        read = await client.get(f"{CASES}/{case['id']}", headers=staff.officer)
        assert read.json()["version"] == 2 and len(read.json()["steps"]) == 2
