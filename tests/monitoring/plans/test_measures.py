"""Help measures (帮扶措施): each is a policy enjoyed (享受政策) and moves the village's figures;
codes, dates and money are checked; only helped households, only in scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.common.auth.roles import Role
from tests.monitoring.plans.support import figures, posting, problem, rule_of
from tests.support.history import history_of
from tests.support.identities import OTHER_COUNTY, TokenFactory
from tests.support.monitoring import create_household

MEASURE = {
    "measure": "industry",
    "description": "发放肉牛养殖补贴",
    "started_on": "2026-03-01",
    "ended_on": "2026-12-31",
    "amount": "3000.00",
}


def measures_path(household_id: object) -> str:
    return f"/api/v1/households/{household_id}/measures"


async def test_add_and_list(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored", category="marginal")
    async with client_for("monitoring") as client:
        first = await client.post(
            measures_path(household.id), json=MEASURE, headers=posting(tokens.village_officer())
        )
        assert first.status_code == 201, first.text
        assert first.headers["ETag"] == '"1"'
        body = first.json()
        assert (
            body["household_id"] == str(household.id) and body["area_code"] == household.area_code
        )
        assert body["measure"] == "industry" and body["amount"] == "3000.00"
        assert body["started_on"] == "2026-03-01" and body["ended_on"] == "2026-12-31"
        second = await client.post(
            measures_path(household.id),
            json={"measure": "education", "started_on": "2026-09-01", "amount": "1500.5"},
            headers=posting(tokens.county_admin()),
        )
        assert second.status_code == 201, second.text
        assert second.json()["amount"] == "1500.50" and second.json()["ended_on"] is None
        listed = await client.get(measures_path(household.id), headers=tokens.village_officer())
        paged = await client.get(
            measures_path(household.id), params={"limit": 1}, headers=tokens.village_officer()
        )
        rest = await client.get(
            measures_path(household.id),
            params={"limit": 1, "cursor": paged.json()["next_cursor"]},
            headers=tokens.village_officer(),
        )
    assert listed.status_code == 200, listed.text
    assert [item["measure"] for item in listed.json()["items"]] == ["education", "industry"]
    assert listed.json()["next_cursor"] is None
    assert [item["id"] for item in paged.json()["items"]] == [second.json()["id"]]
    assert [item["id"] for item in rest.json()["items"]] == [body["id"]]
    assert rest.json()["next_cursor"] is None
    fed, audited = await history_of(apps["monitoring"], body["id"])
    assert fed == ["create"] and audited == ["create"]


async def test_measures_count_as_policies_enjoyed(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    household = await create_household(app, status="monitored", category="marginal")
    other = await create_household(app, status="eliminated")
    before = await figures(app)
    async with client_for("monitoring") as client:
        for target in (household, household, other):
            answer = await client.post(
                measures_path(target.id), json=MEASURE, headers=posting(tokens.county_admin())
            )
            assert answer.status_code == 201, answer.text
    after = await figures(app)
    assert after.get("measures", 0) - before.get("measures", 0) == 3
    assert after.get("households_with_measures", 0) - before.get("households_with_measures", 0) == 2


@pytest.mark.parametrize("amount", ["-1.00", "12.345", "abc", "NaN", 3000, "1e30"])
async def test_a_bad_amount_is_422(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
    amount: Any,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored")
    async with client_for("monitoring") as client:
        answer = await client.post(
            measures_path(household.id),
            json={**MEASURE, "amount": amount},
            headers=posting(tokens.village_officer()),
        )
    problem(answer, 422, "validation_failed", "body.amount")


async def test_an_unknown_measure_code_is_422(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored")
    async with client_for("monitoring") as client:
        answer = await client.post(
            measures_path(household.id),
            json={**MEASURE, "measure": "lottery"},
            headers=posting(tokens.village_officer()),
        )
    problem(answer, 422, "validation_failed", "body.measure")
    assert rule_of(answer, "body.measure") == "code_unknown"


async def test_ending_before_the_start_is_422(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored")
    async with client_for("monitoring") as client:
        answer = await client.post(
            measures_path(household.id),
            json={**MEASURE, "ended_on": "2026-02-28"},
            headers=posting(tokens.village_officer()),
        )
        same_day = await client.post(
            measures_path(household.id),
            json={**MEASURE, "ended_on": MEASURE["started_on"]},
            headers=posting(tokens.village_officer()),
        )
    problem(answer, 422, "validation_failed", "body.ended_on")
    assert rule_of(answer, "body.ended_on") == "before_start"
    assert same_day.status_code == 201, same_day.text


async def test_a_household_not_monitored_gets_no_measure(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        answer = await client.post(
            measures_path(household.id), json=MEASURE, headers=posting(tokens.village_officer())
        )
    problem(answer, 409, "household_not_monitored")


async def test_a_post_needs_an_idempotency_key(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored")
    async with client_for("monitoring") as client:
        answer = await client.post(
            measures_path(household.id), json=MEASURE, headers=tokens.village_officer()
        )
    problem(answer, 422, "validation_failed", "header.Idempotency-Key")


async def test_another_countys_household_is_404(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored")
    outsider = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
    async with client_for("monitoring") as client:
        posted = await client.post(
            measures_path(household.id), json=MEASURE, headers=posting(outsider)
        )
        listed = await client.get(measures_path(household.id), headers=outsider)
    problem(posted, 404, "not_found")
    problem(listed, 404, "not_found")


async def test_a_viewer_may_not_add(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored")
    viewer = tokens.headers(Role.CITY_VIEWER, "411400000000")
    async with client_for("monitoring") as client:
        posted = await client.post(
            measures_path(household.id), json=MEASURE, headers=posting(viewer)
        )
        listed = await client.get(measures_path(household.id), headers=viewer)
    problem(posted, 403, "role_not_allowed")
    assert listed.status_code == 200 and listed.json()["items"] == []


async def test_a_replayed_post_counts_once(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    household = await create_household(app, status="monitored")
    headers = posting(tokens.village_officer())
    before = await figures(app)
    async with client_for("monitoring") as client:
        first = await client.post(measures_path(household.id), json=MEASURE, headers=headers)
        replay = await client.post(measures_path(household.id), json=MEASURE, headers=headers)
        listed = await client.get(measures_path(household.id), headers=tokens.village_officer())
    assert first.status_code == replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert len(listed.json()["items"]) == 1
    after = await figures(app)
    assert after.get("measures", 0) - before.get("measures", 0) == 1
