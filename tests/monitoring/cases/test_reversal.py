"""A revisit that finds the risk back (风险消除回退): the household is monitored again and a
closed `elimination_reversal` case keeps the record."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.business_time import business_today
from services.common.errors import Conflict
from services.monitoring.cases.periods import months_before
from services.monitoring.cases.service import reopen_after_revisit
from services.monitoring.households.repository import get_household
from services.monitoring.models import Case, Household
from tests.monitoring.cases.support import (
    CASES,
    Staff,
    elimination,
    elimination_candidate,
    figures,
    household_row,
    open_case,
    problem,
)
from tests.support.identities import VILLAGE, TokenFactory
from tests.support.monitoring import create_household

OFFICER = Principal(subject="user:revisiting-officer", role=Role.VILLAGE_OFFICER, area=VILLAGE)


async def reopen(app: FastAPI, household: Household, reason: str) -> Case:
    async with app.state.database.sessionmaker() as session:
        locked = await get_household(session, OFFICER, household.id, for_update=True)
        assert locked is not None
        case = await reopen_after_revisit(session, OFFICER, locked, reason)
        await session.commit()
        return case


async def test_a_reversal_monitors_the_household_again(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, today = apps["monitoring"], business_today()
    household = await create_household(
        app, status="eliminated", category="sudden_hardship", members=2
    )
    assert (await figures(app))["eliminated_households"] == 1

    case = await reopen(app, household, "回访发现家庭成员重病，支出骤增")

    assert case.procedure == "elimination_reversal" and case.outcome == "reopened"
    assert case.state == "closed" and case.closed_on == today
    reverted = await household_row(app, household.id)
    assert reverted.monitoring_status == "monitored" and reverted.eliminated_on is None
    assert reverted.monitoring_category == "sudden_hardship" and reverted.version == 2
    current = await figures(app)
    assert "eliminated_households" not in current and "eliminated_people" not in current
    assert current["monitored_households"] == 1 and current["monitored_people"] == 2
    assert current["monitored_households:sudden_hardship"] == 1
    # A reversal is not a new identification.
    assert await figures(app, year=today.year) == {}

    async with client_for("monitoring") as client:
        read = await client.get(f"{CASES}/{case.id}", headers=Staff(tokens).officer)
        listed = await client.get(
            CASES,
            params={"procedure": "elimination_reversal", "household_id": str(household.id)},
            headers=Staff(tokens).county_admin,
        )
    assert read.status_code == 200, read.text
    steps = read.json()["steps"]
    assert [(s["step"], s["action"]) for s in steps] == [("elimination_reversal", "reopen")]
    assert steps[0]["findings"] == "回访发现家庭成员重病，支出骤增"
    assert steps[0]["actor"] == OFFICER.subject
    assert [item["id"] for item in listed.json()["items"]] == [str(case.id)]


async def test_only_an_eliminated_household_is_reversed(apps: dict[str, FastAPI]) -> None:
    household = await create_household(apps["monitoring"], status="monitored", category="marginal")
    with pytest.raises(Conflict) as raised:
        await reopen(apps["monitoring"], household, "风险返回")
    assert raised.value.code == "household_not_eliminated"


async def test_after_a_reversal_the_half_year_starts_again(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    household = await elimination_candidate(
        app, status="eliminated", monitored_since=months_before(business_today(), 24)
    )
    await reopen(app, household, "务工收入中断")
    async with client_for("monitoring") as client:
        answer = await open_case(client, Staff(tokens).officer, **elimination(household))
    body = problem(answer, 422, "elimination_rules_unmet", "monitored_six_months")
    assert body["facts"]["monitored_since"] == business_today().isoformat()
