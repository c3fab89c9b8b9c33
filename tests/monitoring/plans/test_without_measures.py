"""`/households/without-measures`: monitored households in scope with no measure more than 30 days
after approval ("a household without any measure a month after approval is a warning")."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI

from tests.monitoring.plans.support import all_pages, days_ago, posting, set_dates
from tests.support.identities import OTHER_VILLAGE, TokenFactory
from tests.support.monitoring import create_household

WITHOUT_MEASURES = "/api/v1/households/without-measures"
MEASURE = {"measure": "employment", "started_on": "2026-01-05"}


async def test_lists_monitored_households_without_measures_after_30_days(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    bare = await create_household(app, status="monitored", category="sudden_hardship")
    helped = await create_household(app, status="monitored", category="marginal")
    recent = await create_household(app, status="monitored", category="marginal")
    eliminated = await create_household(app, status="eliminated")
    elsewhere = await create_household(app, village=OTHER_VILLAGE, status="monitored")
    for household in (bare, helped, eliminated, elsewhere):
        await set_dates(app, household.id, identified_on=days_ago(31))
    await set_dates(app, recent.id, identified_on=days_ago(30))
    async with client_for("monitoring") as client:
        added = await client.post(
            f"/api/v1/households/{helped.id}/measures",
            json=MEASURE,
            headers=posting(tokens.village_officer()),
        )
        assert added.status_code == 201, added.text
        answer = await client.get(WITHOUT_MEASURES, headers=tokens.county_admin())
        pages = await all_pages(client, WITHOUT_MEASURES, tokens.county_admin())
    assert answer.status_code == 200, answer.text
    items = {item["household_id"]: item for item in answer.json()["items"]}
    assert str(bare.id) in items
    assert items[str(bare.id)]["days_since_identified"] == 31
    assert items[str(bare.id)]["monitoring_category"] == "sudden_hardship"
    assert not {str(helped.id), str(recent.id), str(eliminated.id), str(elsewhere.id)} & set(items)
    assert [household_id for page in pages for household_id in page] == list(items)


async def test_the_measure_days_follow_the_setting(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    app.state.settings = app.state.settings.model_copy(update={"measure_days": 20})
    late = await create_household(app, status="monitored", category="marginal")
    in_time = await create_household(app, status="monitored", category="marginal")
    await set_dates(app, late.id, identified_on=days_ago(21))
    await set_dates(app, in_time.id, identified_on=days_ago(20))
    async with client_for("monitoring") as client:
        answer = await client.get(WITHOUT_MEASURES, headers=tokens.county_admin())
    assert answer.status_code == 200, answer.text
    items = {item["household_id"]: item for item in answer.json()["items"]}
    assert items[str(late.id)]["days_since_identified"] == 21
    assert str(in_time.id) not in items
