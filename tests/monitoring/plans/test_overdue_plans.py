"""`/help-plans/overdue`: monitored households in scope still without a help plan more than
10 days after approval (local rules give 10 days)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI

from services.common.auth.roles import Role
from tests.monitoring.plans.support import all_pages, days_ago, problem, set_dates
from tests.support.identities import COUNTY, OTHER_VILLAGE, TokenFactory
from tests.support.monitoring import create_household

OVERDUE = "/api/v1/help-plans/overdue"
PLAN = {"helper_name": "刘志强"}


async def test_lists_monitored_households_without_a_plan_after_10_days(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    late = await create_household(app, status="monitored", category="marginal", head_name="王五")
    planned = await create_household(app, status="monitored", category="marginal")
    in_time = await create_household(app, status="monitored", category="marginal")
    elsewhere = await create_household(
        app, village=OTHER_VILLAGE, status="monitored", category="marginal"
    )
    for household in (late, planned, elsewhere):
        await set_dates(app, household.id, identified_on=days_ago(11))
    await set_dates(app, in_time.id, identified_on=days_ago(10))
    async with client_for("monitoring") as client:
        put = await client.put(
            f"/api/v1/households/{planned.id}/help-plan", json=PLAN, headers=tokens.county_admin()
        )
        assert put.status_code == 201, put.text
        answer = await client.get(OVERDUE, headers=tokens.county_admin())
    assert answer.status_code == 200, answer.text
    items = {item["household_id"]: item for item in answer.json()["items"]}
    assert str(late.id) in items
    assert not {str(planned.id), str(in_time.id), str(elsewhere.id)} & items.keys()
    assert items[str(late.id)] == {
        "household_id": str(late.id),
        "area_code": late.area_code,
        "head_name": "王五",
        "monitoring_category": "marginal",
        "identified_on": days_ago(11).isoformat(),
        "days_since_identified": 11,
    }


async def test_pages_with_a_cursor(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    ours = []
    for name in ("甲", "乙", "丙"):
        household = await create_household(app, status="monitored", head_name=name)
        await set_dates(app, household.id, identified_on=days_ago(40))
        ours.append(str(household.id))
    async with client_for("monitoring") as client:
        pages = await all_pages(client, OVERDUE, tokens.village_officer())
        bad = await client.get(
            OVERDUE, params={"cursor": "bm90LWEtY3Vyc29y"}, headers=tokens.village_officer()
        )
    seen = [household_id for page in pages for household_id in page]
    assert all(len(page) <= 1 for page in pages)
    assert set(ours) <= set(seen), "every page followed, nothing skipped"
    assert len(seen) == len(set(seen)), "nothing served twice"
    problem(bad, 422, "validation_failed", "query.cursor")


async def test_machines_may_not_list(
    client_for: Callable[[str], httpx.AsyncClient], tokens: TokenFactory
) -> None:
    async with client_for("monitoring") as client:
        answer = await client.get(OVERDUE, headers=tokens.headers(Role.DEPARTMENT_FEED, COUNTY))
    problem(answer, 403, "role_not_allowed")


async def test_the_plan_days_follow_the_setting(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    app.state.settings = app.state.settings.model_copy(update={"plan_days": 14})
    late = await create_household(app, status="monitored", category="marginal")
    in_time = await create_household(app, status="monitored", category="marginal")
    await set_dates(app, late.id, identified_on=days_ago(15))
    await set_dates(app, in_time.id, identified_on=days_ago(14))
    async with client_for("monitoring") as client:
        answer = await client.get(OVERDUE, headers=tokens.county_admin())
    assert answer.status_code == 200, answer.text
    listed = {item["household_id"] for item in answer.json()["items"]}
    assert str(late.id) in listed and str(in_time.id) not in listed
