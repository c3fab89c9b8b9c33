"""Every route that takes an id answers 404 outside the caller's area, exactly like a missing
id: warnings, leads, feed batches and warning rules."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role, Scope
from tests.monitoring.cases.support import problem
from tests.monitoring.feeds.support import BATCHES, feed_client, numbers, push, record
from tests.monitoring.warnings.support import LEADS, WARNINGS, acting, raise_lead, raise_warning
from tests.monitoring.warnings.test_rules import RULES, create
from tests.support.identities import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_VILLAGE,
    PROVINCE,
    TokenFactory,
)

NEIGHBOUR_VILLAGE = "411424105202"


async def requests_on(
    client: AsyncClient, path: str, item: dict[str, Any], headers: dict[str, str]
) -> dict[str, int]:
    """The status of every route of a warning (or lead) for these headers."""
    base = f"{path}/{item['id']}"
    answers = {
        "read": await client.get(base, headers=headers),
        "acknowledge": await client.post(f"{base}/acknowledge", headers=acting(headers, 1)),
        "dismiss": await client.post(
            f"{base}/dismiss", json={"reason": "x"}, headers=acting(headers, 1)
        ),
        "case": await client.post(
            f"{base}/case",
            json={"proposed_category": "marginal", "household_id": str(uuid.uuid4())}
            if path == LEADS
            else {"proposed_category": "marginal"},
            headers=acting(headers, 1),
        ),
    }
    if path == LEADS:
        answers["person-number"] = await client.get(f"{base}/person-number", headers=headers)
    for answer in answers.values():
        if answer.status_code == 404:
            problem(answer, 404, "not_found")
    return {name: answer.status_code for name, answer in answers.items()}


async def test_warnings_and_leads_of_another_area_answer_404(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    reveal = [Scope.PERSONAL_DATA_REVEAL.value]
    outsiders = {
        "other village officer": tokens.headers(Role.VILLAGE_OFFICER, OTHER_VILLAGE, scopes=reveal),
        "neighbour village officer": tokens.headers(
            Role.VILLAGE_OFFICER, NEIGHBOUR_VILLAGE, scopes=reveal
        ),
        "other county admin": tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY, scopes=reveal),
    }
    async with client_for("monitoring") as client:
        _, _, warning = await raise_warning(client, app, tokens)
        _, lead = await raise_lead(client, app, tokens)
        for path, item in ((WARNINGS, warning), (LEADS, lead)):
            for who, headers in outsiders.items():
                statuses = await requests_on(client, path, item, headers)
                assert set(statuses.values()) == {404}, (path, who, statuses)
            missing = {**item, "id": str(uuid.uuid4())}
            admin = tokens.headers(Role.ADMINISTRATOR, "000000000000", scopes=reveal)
            statuses = await requests_on(client, path, missing, admin)
            assert set(statuses.values()) == {404}, (path, statuses)


async def test_feed_batches_of_another_client_or_area_answer_404(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    async with client_for("monitoring") as client:
        pushed = await push(client, feed_client(tokens), [record(numbers(1)[0])])
        batch = pushed.headers["Location"]
        outsiders = {
            "another client of the county": feed_client(tokens, name="county-civil-affairs"),
            "a client of another county": feed_client(tokens, OTHER_COUNTY),
            "another county's admin": tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY),
        }
        for who, headers in outsiders.items():
            problem(await client.get(batch, headers=headers), 404, "not_found")
            problem(await client.get(f"{batch}/rejections", headers=headers), 404, "not_found")
            listed = await client.get(BATCHES, headers=headers)
            assert listed.json()["items"] == [], who
        other_admin = tokens.headers(Role.ADMINISTRATOR, "430000000000")
        retry = await client.post(f"{batch}/retry", headers=acting(other_admin, 1))
        problem(retry, 404, "not_found")
        for headers in (tokens.county_admin(COUNTY), tokens.administrator(), feed_client(tokens)):
            assert (await client.get(batch, headers=headers)).status_code == 200
        problem(
            await client.get(f"{BATCHES}/{uuid.uuid4()}", headers=feed_client(tokens)),
            404,
            "not_found",
        )


async def test_rules_of_another_province_answer_404(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    hunan_admin = tokens.headers(Role.ADMINISTRATOR, "430000000000")
    async with client_for("monitoring") as client:
        rule = await create(client, tokens.headers(Role.ADMINISTRATOR, PROVINCE))
        path = f"{RULES}/{rule['id']}"
        problem(await client.get(path, headers=hunan_admin), 404, "not_found")
        patched = await client.patch(
            path, json={"description": "x"}, headers=acting(hunan_admin, 1)
        )
        problem(patched, 404, "not_found")
        problem(await client.delete(path, headers=acting(hunan_admin, 1)), 404, "not_found")
        listed = await client.get(RULES, headers=hunan_admin, params={"province_code": PROVINCE})
        assert listed.json()["items"] == []
        assert (await client.get(path, headers=tokens.village_officer())).status_code == 200
