"""Visits (走访) and revisits (回访): who may record them, when, for which household; a revisit
that finds the risk back reopens the case (风险消除回退)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.common.auth.roles import Role
from services.common.business_time import business_today
from services.common.pagination import encode_cursor
from services.common.tables import audit_log, changes
from services.monitoring.models import Case, Household, Visit
from tests.monitoring.plans.support import (
    days_ago,
    posting,
    problem,
    rule_of,
    set_dates,
)
from tests.support.history import history_of
from tests.support.identities import CITY, OTHER_COUNTY, VILLAGE, TokenFactory
from tests.support.monitoring import create_household

OFFICER_SUB = "user:officer-sun"


def visits_path(household_id: object) -> str:
    return f"/api/v1/households/{household_id}/visits"


def visit(kind: str = "visit", days: int = 0, risk_found: bool = False) -> dict[str, object]:
    return {
        "kind": kind,
        "visited_on": days_ago(days).isoformat(),
        "findings": "家中老人住院，已申请医疗救助",
        "risk_found": risk_found,
    }


async def test_record_and_list_newest_first(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored", category="marginal")
    officer = tokens.headers(Role.VILLAGE_OFFICER, VILLAGE, sub=OFFICER_SUB)
    async with client_for("monitoring") as client:
        older = await client.post(
            visits_path(household.id), json=visit(days=9), headers=posting(officer)
        )
        assert older.status_code == 201, older.text
        newer = await client.post(
            visits_path(household.id), json=visit(days=0), headers=posting(officer)
        )
        assert newer.status_code == 201, newer.text
        listed = await client.get(visits_path(household.id), headers=tokens.county_admin())
        first_page = await client.get(
            visits_path(household.id), params={"limit": 1}, headers=tokens.county_admin()
        )
        second_page = await client.get(
            visits_path(household.id),
            params={"limit": 1, "cursor": first_page.json()["next_cursor"]},
            headers=tokens.county_admin(),
        )
    body = newer.json()
    assert newer.headers["ETag"] == '"1"'
    assert body["officer"] == OFFICER_SUB and body["kind"] == "visit"
    assert body["visited_on"] == business_today().isoformat() and body["risk_found"] is False
    assert body["area_code"] == household.area_code and body["reopened_case_id"] is None
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [body["id"], older.json()["id"]]
    assert "reopened_case_id" not in listed.json()["items"][0]
    assert [item["id"] for item in first_page.json()["items"]] == [body["id"]]
    assert [item["id"] for item in second_page.json()["items"]] == [older.json()["id"]]
    assert second_page.json()["next_cursor"] is None
    fed, audited = await history_of(apps["monitoring"], body["id"])
    assert fed == ["create"] and audited == ["create"]


async def test_any_household_may_be_visited(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    ordinary = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        answer = await client.post(
            visits_path(ordinary.id),
            json=visit(risk_found=True),
            headers=posting(tokens.village_officer()),
        )
    assert answer.status_code == 201, answer.text
    assert answer.json()["risk_found"] is True and answer.json()["reopened_case_id"] is None


async def test_a_visit_in_the_future_is_422(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored")
    tomorrow = (business_today() + timedelta(days=1)).isoformat()
    async with client_for("monitoring") as client:
        answer = await client.post(
            visits_path(household.id),
            json={**visit(), "visited_on": tomorrow},
            headers=posting(tokens.village_officer()),
        )
    problem(answer, 422, "validation_failed", "body.visited_on")
    assert rule_of(answer, "body.visited_on") == "in_future"


async def test_bad_input_is_422(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored")
    async with client_for("monitoring") as client:
        kind = await client.post(
            visits_path(household.id),
            json={**visit(), "kind": "inspection"},
            headers=posting(tokens.village_officer()),
        )
        empty = await client.post(
            visits_path(household.id),
            json={**visit(), "findings": "   "},
            headers=posting(tokens.village_officer()),
        )
        officer = await client.post(
            visits_path(household.id),
            json={**visit(), "officer": "someone else"},
            headers=posting(tokens.village_officer()),
        )
    problem(kind, 422, "validation_failed", "body.kind")
    problem(empty, 422, "validation_failed", "body.findings")
    problem(officer, 422, "validation_failed", "body.officer")


async def test_a_revisit_is_only_for_an_eliminated_household(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    monitored = await create_household(app, status="monitored")
    eliminated = await create_household(app, status="eliminated")
    await set_dates(app, eliminated.id, eliminated_on=days_ago(20))
    async with client_for("monitoring") as client:
        refused = await client.post(
            visits_path(monitored.id),
            json=visit("revisit"),
            headers=posting(tokens.village_officer()),
        )
        too_early = await client.post(
            visits_path(eliminated.id),
            json=visit("revisit", days=21),
            headers=posting(tokens.village_officer()),
        )
        revisited = await client.post(
            visits_path(eliminated.id),
            json=visit("revisit"),
            headers=posting(tokens.village_officer()),
        )
    problem(refused, 409, "household_not_eliminated")
    problem(too_early, 422, "validation_failed", "body.visited_on")
    assert rule_of(too_early, "body.visited_on") == "before_elimination"
    assert revisited.status_code == 201, revisited.text
    assert revisited.json()["kind"] == "revisit" and revisited.json()["reopened_case_id"] is None


async def test_a_revisit_finding_the_risk_back_reopens_the_case(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    household = await create_household(app, status="eliminated", category="marginal")
    async with client_for("monitoring") as client:
        answer = await client.post(
            visits_path(household.id),
            json=visit("revisit", risk_found=True),
            headers=posting(tokens.village_officer()),
        )
    assert answer.status_code == 201, answer.text
    case_id = answer.json()["reopened_case_id"]
    assert case_id is not None
    async with app.state.database.sessionmaker() as session:
        case = await session.scalar(select(Case).where(Case.household_id == household.id))
        status = await session.scalar(
            select(Household.monitoring_status).where(Household.id == household.id)
        )
    assert case is not None and str(case.id) == case_id
    assert status == "monitored"


async def test_a_visit_finding_risk_after_elimination_must_be_a_revisit(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    household = await create_household(app, status="eliminated", category="marginal")
    await set_dates(app, household.id, eliminated_on=days_ago(20))
    officer = tokens.village_officer()
    async with app.state.database.sessionmaker() as session:
        audited_before = await session.scalar(select(func.max(audit_log.c.id)))
    async with client_for("monitoring") as client:
        refused = await client.post(
            visits_path(household.id), json=visit(risk_found=True), headers=posting(officer)
        )
        # Nothing was written: the household is still eliminated, no visit, no case, no feed.
        async with app.state.database.sessionmaker() as session:
            status = await session.scalar(
                select(Household.monitoring_status).where(Household.id == household.id)
            )
            written = [
                (await session.scalars(select(Visit.id))).all(),
                (await session.scalars(select(Case.id))).all(),
                (await session.scalars(select(changes.c.seq))).all(),
                (
                    await session.scalars(
                        select(audit_log.c.id).where(audit_log.c.id > (audited_before or 0))
                    )
                ).all(),
            ]
        assert status == "eliminated" and written == [[], [], [], []]
        # A visit without risk, or one dated before the elimination (recorded late), stays a visit.
        quiet = await client.post(visits_path(household.id), json=visit(), headers=posting(officer))
        earlier = await client.post(
            visits_path(household.id),
            json=visit(days=21, risk_found=True),
            headers=posting(officer),
        )
        revisited = await client.post(
            visits_path(household.id),
            json=visit("revisit", risk_found=True),
            headers=posting(officer),
        )
    problem(refused, 422, "validation_failed", "body.kind")
    assert rule_of(refused, "body.kind") == "revisit_required"
    assert "revisit" in refused.json()["fields"][0]["message"]
    assert quiet.status_code == 201, quiet.text
    assert quiet.json()["reopened_case_id"] is None
    assert earlier.status_code == 201, earlier.text
    assert earlier.json()["kind"] == "visit" and earlier.json()["reopened_case_id"] is None
    assert revisited.status_code == 201, revisited.text
    assert revisited.json()["reopened_case_id"] is not None


async def test_another_countys_household_is_404(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="eliminated")
    outsider = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
    async with client_for("monitoring") as client:
        posted = await client.post(
            visits_path(household.id), json=visit("revisit"), headers=posting(outsider)
        )
        listed = await client.get(
            visits_path(household.id), headers=tokens.headers(Role.VILLAGE_OFFICER, "411422101201")
        )
    problem(posted, 404, "not_found")
    problem(listed, 404, "not_found")


async def test_viewers_read_but_do_not_visit(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored")
    viewer = tokens.headers(Role.CITY_VIEWER, CITY)
    async with client_for("monitoring") as client:
        posted = await client.post(visits_path(household.id), json=visit(), headers=posting(viewer))
        listed = await client.get(visits_path(household.id), headers=viewer)
        machine = await client.get(
            visits_path(household.id), headers=tokens.headers(Role.PROVINCE_SYSTEM, "410000000000")
        )
    problem(posted, 403, "role_not_allowed")
    assert listed.status_code == 200, listed.text
    problem(machine, 403, "role_not_allowed")


async def test_a_forged_cursor_is_422(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    household = await create_household(apps["monitoring"], status="monitored")
    forged = encode_cursor(["2026-13-40", str(household.id)])
    async with client_for("monitoring") as client:
        answer = await client.get(
            visits_path(household.id), params={"cursor": forged}, headers=tokens.village_officer()
        )
    problem(answer, 422, "validation_failed", "query.cursor")
