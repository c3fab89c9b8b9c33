"""The help plan (帮扶计划) of a monitored household: create, replace with If-Match, read back with
the helper's phone masked; only monitored households, only in scope, only writing roles."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.common.auth.roles import Role
from services.monitoring.models import HelpPlan
from tests.monitoring.plans.support import if_match, problem, rule_of
from tests.support.history import history_of
from tests.support.identities import COUNTY, OTHER_COUNTY, TOWNSHIP, TokenFactory
from tests.support.monitoring import create_household

PHONE = "13812345678"
PLAN = {"helper_name": "刘志强", "helper_unit": "县农业农村局", "helper_phone": PHONE}


def plan_path(household_id: object) -> str:
    return f"/api/v1/households/{household_id}/help-plan"


async def test_create_shows_the_phone_masked_and_reads_back(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored", category="marginal")
    async with client_for("monitoring") as client:
        created = await client.put(
            plan_path(household.id),
            json={**PLAN, "notes": "每月入户一次"},
            headers=tokens.village_officer(),
        )
        assert created.status_code == 201, created.text
        assert created.headers["ETag"] == '"1"'
        assert created.headers["Location"] == plan_path(household.id)
        body = created.json()
        assert (
            body["household_id"] == str(household.id) and body["area_code"] == household.area_code
        )
        assert body["helper_name"] == "刘志强" and body["helper_unit"] == "县农业农村局"
        assert body["helper_phone_masked"] == "138****5678" and body["version"] == 1
        assert PHONE not in created.text

        read = await client.get(plan_path(household.id), headers=tokens.county_admin())
    assert read.status_code == 200, read.text
    assert read.headers["ETag"] == '"1"'
    assert read.json() == body
    assert PHONE not in read.text


async def test_the_phone_is_stored_encrypted_and_the_write_is_recorded(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    household = await create_household(app, status="monitored", category="marginal")
    async with client_for("monitoring") as client:
        created = await client.put(
            plan_path(household.id), json=PLAN, headers=tokens.county_admin()
        )
    assert created.status_code == 201, created.text
    async with app.state.database.sessionmaker() as session:
        plan = await session.scalar(select(HelpPlan).where(HelpPlan.household_id == household.id))
    assert plan is not None and plan.helper_phone_cipher is not None
    assert PHONE.encode() not in plan.helper_phone_cipher
    assert app.state.protector.reveal_phone(plan.helper_phone_cipher) == PHONE
    fed, audited = await history_of(app, created.json()["id"])
    assert fed == ["create"] and audited == ["create"]


async def test_replacing_needs_the_current_version(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored", category="marginal")
    officer = tokens.village_officer()
    replacement = {"helper_name": "赵敏", "helper_phone": "0370-6123456"}
    async with client_for("monitoring") as client:
        first = await client.put(plan_path(household.id), json=PLAN, headers=officer)
        assert first.status_code == 201, first.text

        problem(
            await client.put(plan_path(household.id), json=replacement, headers=officer),
            428,
            "precondition_required",
        )
        stale = await client.put(
            plan_path(household.id), json=replacement, headers=if_match(officer, 7)
        )
        body = problem(stale, 412, "version_mismatch")
        assert body["current"]["version"] == 1 and body["current"]["helper_name"] == "刘志强"
        assert PHONE not in stale.text

        replaced = await client.put(
            plan_path(household.id), json=replacement, headers=if_match(officer, 1)
        )
        assert replaced.status_code == 200, replaced.text
        assert replaced.headers["ETag"] == '"2"'
        after = replaced.json()
        assert after["id"] == first.json()["id"] and after["version"] == 2
        assert after["helper_name"] == "赵敏" and after["helper_unit"] is None
        assert after["helper_phone_masked"] != "138****5678"

        again = await client.put(
            plan_path(household.id), json=replacement, headers=if_match(officer, 2)
        )
    assert again.status_code == 200 and again.json()["version"] == 2, "unchanged: same version"
    fed, audited = await history_of(apps["monitoring"], after["id"])
    assert fed == ["create", "update"] and audited == ["create", "update"]


async def test_a_bad_phone_or_an_unknown_field_is_422(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored", category="marginal")
    async with client_for("monitoring") as client:
        bad_phone = await client.put(
            plan_path(household.id),
            json={**PLAN, "helper_phone": "12345"},
            headers=tokens.village_officer(),
        )
        extra = await client.put(
            plan_path(household.id), json={**PLAN, "rank": "科长"}, headers=tokens.village_officer()
        )
        nameless = await client.put(
            plan_path(household.id), json={"helper_name": "  "}, headers=tokens.village_officer()
        )
    problem(bad_phone, 422, "validation_failed", "body.helper_phone")
    assert rule_of(bad_phone, "body.helper_phone") == "format"
    problem(extra, 422, "validation_failed", "body.rank")
    problem(nameless, 422, "validation_failed", "body.helper_name")


async def test_only_a_monitored_household_gets_a_plan(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    ordinary = await create_household(apps["monitoring"])
    eliminated = await create_household(apps["monitoring"], status="eliminated")
    async with client_for("monitoring") as client:
        for household in (ordinary, eliminated):
            answer = await client.put(
                plan_path(household.id), json=PLAN, headers=tokens.village_officer()
            )
            problem(answer, 409, "household_not_monitored")


async def test_no_plan_yet_is_404(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored", category="marginal")
    async with client_for("monitoring") as client:
        answer = await client.get(plan_path(household.id), headers=tokens.village_officer())
    problem(answer, 404, "help_plan_not_found")


async def test_another_countys_household_is_404(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored", category="marginal")
    async with client_for("monitoring") as client:
        created = await client.put(
            plan_path(household.id), json=PLAN, headers=tokens.county_admin()
        )
        assert created.status_code == 201
        outsider = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
        problem(
            await client.put(plan_path(household.id), json=PLAN, headers=if_match(outsider, 1)),
            404,
            "not_found",
        )
        problem(
            await client.get(
                plan_path(household.id), headers=tokens.headers(Role.COUNTY_APPROVER, OTHER_COUNTY)
            ),
            404,
            "not_found",
        )


async def test_viewers_read_but_do_not_write(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored", category="marginal")
    viewer = tokens.headers(Role.PROVINCE_VIEWER, "410000000000")
    async with client_for("monitoring") as client:
        problem(
            await client.put(plan_path(household.id), json=PLAN, headers=viewer),
            403,
            "role_not_allowed",
        )
        created = await client.put(
            plan_path(household.id),
            json=PLAN,
            headers=tokens.headers(Role.TOWNSHIP_REVIEWER, TOWNSHIP),
        )
        assert created.status_code == 201, created.text
        assert (await client.get(plan_path(household.id), headers=viewer)).status_code == 200
        machine = tokens.headers(Role.DEPARTMENT_FEED, COUNTY)
        problem(await client.get(plan_path(household.id), headers=machine), 403, "role_not_allowed")
