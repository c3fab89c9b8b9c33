"""The notice and the deadlines follow the settings (MONITORING_NOTICE_DAYS,
MONITORING_IDENTIFICATION_DEADLINE_DAYS, MONITORING_ELIMINATION_DEADLINE_DAYS)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role, Scope
from services.common.business_time import business_today
from tests.monitoring.cases.support import (
    CASES,
    Staff,
    act,
    act_ok,
    backdate,
    elimination,
    elimination_candidate,
    identification,
    open_ok,
    problem,
)
from tests.support.identities import COUNTY, NATION, VILLAGE, TokenFactory
from tests.support.monitoring import create_household


def configure(app: FastAPI, **periods: int) -> None:
    app.state.settings = app.state.settings.model_copy(update=periods)


async def in_notice(
    client: AsyncClient, app: FastAPI, staff: Staff, notice_days_ago: int
) -> dict[str, Any]:
    """An identification case at the township's review, its notice started `notice_days_ago`."""
    case = await open_ok(client, staff.officer, **identification(await create_household(app)))
    case = await act_ok(client, staff.officer, case, "home_verification", consent_signed=True)
    case = await act_ok(client, staff.officer, case, "data_comparison")
    await backdate(app, case["id"], days=notice_days_ago)
    notice = business_today() - timedelta(days=notice_days_ago)
    return await act_ok(
        client, staff.officer, case, "village_review", notice_started_on=notice, objections=[]
    )


async def test_the_township_waits_for_the_configured_notice(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, staff, today = apps["monitoring"], Staff(tokens), business_today()
    configure(app, notice_days=7)
    async with client_for("monitoring") as client:
        five = await in_notice(client, app, staff, 5)
        assert five["notice_ends_on"] == (today + timedelta(days=2)).isoformat()
        running = await act(client, staff.reviewer, five, "township_review")
        body = problem(running, 422, "notice_period_running", "notice_period_running")
        assert body["notice_ends_on"] == (today + timedelta(days=2)).isoformat()
        assert "runs 7 days" in body["detail"]
        read = await client.get(f"{CASES}/{five['id']}", headers=staff.reviewer)
        assert (
            read.json()["version"] == five["version"] and read.json()["state"] == "township_review"
        )

        seven = await in_notice(client, app, staff, 7)
        assert seven["notice_ends_on"] == today.isoformat()
        case = await act_ok(client, staff.reviewer, seven, "township_review", findings="同意")
        assert case["state"] == "county_approval"


async def test_a_case_is_overdue_after_the_configured_deadline(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, staff, today = apps["monitoring"], Staff(tokens), business_today()
    configure(app, identification_deadline_days=10, elimination_deadline_days=20)
    service = tokens.headers(
        Role.ADMINISTRATOR, NATION, scopes=[Scope.INTERNAL.value], sub="client:gateway"
    )
    async with client_for("monitoring") as client:

        async def overdue(case_id: str) -> tuple[bool, list[str], int]:
            read = await client.get(f"{CASES}/{case_id}", headers=staff.county_admin)
            listed = await client.get(CASES, params={"overdue": "true"}, headers=staff.officer)
            figures = await client.get(
                "/api/v1/internal/figures",
                params={"area": COUNTY, "level": "village"},
                headers=service,
            )
            rows = {row["area_code"]: row["figures"] for row in figures.json()["rows"]}
            return (
                read.json()["overdue"],
                [item["id"] for item in listed.json()["items"]],
                rows.get(VILLAGE, {}).get("overdue_cases", 0),
            )

        case = await open_ok(client, staff.officer, **identification(await create_household(app)))
        assert case["deadline_on"] == (today + timedelta(days=10)).isoformat()
        await backdate(app, case["id"], days=10)  # day 10: the deadline is today
        assert await overdue(case["id"]) == (False, [], 0)
        await backdate(app, case["id"], days=1)  # day 11
        assert await overdue(case["id"]) == (True, [case["id"]], 1)

        ending = await open_ok(
            client, staff.officer, **elimination(await elimination_candidate(app))
        )
        assert ending["deadline_on"] == (today + timedelta(days=20)).isoformat()
