"""Leads (线索): a person the registry does not hold, for the area the department named. The
officers there find the person, reveal the number with the scope, and once the person is
registered open a case from the lead."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.auth.roles import Role, Scope
from services.common.tables import audit_log
from tests.monitoring.cases.support import problem
from tests.monitoring.feeds.support import figures, numbers, registered
from tests.monitoring.warnings.support import LEADS, act, raise_lead
from tests.support.identities import COUNTY, TOWNSHIP, VILLAGE, TokenFactory


async def test_a_lead_goes_to_the_most_precise_area_named(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    async with client_for("monitoring") as client:
        _, village_lead = await raise_lead(client, app, tokens, area=VILLAGE)
        _, county_lead = await raise_lead(client, app, tokens, area=COUNTY)
        assert village_lead["kind"] == "lead" and village_lead["household_id"] is None
        officer = await client.get(LEADS, headers=tokens.village_officer())
        assert [lead["id"] for lead in officer.json()["items"]] == [village_lead["id"]]
        township = await client.get(LEADS, headers=tokens.headers(Role.VILLAGE_OFFICER, TOWNSHIP))
        assert [lead["id"] for lead in township.json()["items"]] == [village_lead["id"]]
        county = await client.get(LEADS, headers=tokens.county_admin())
        assert {lead["id"] for lead in county.json()["items"]} == {
            village_lead["id"],
            county_lead["id"],
        }
        # Leads and warnings are apart: a lead's id is no warning's.
        as_warning = await client.get(
            f"/api/v1/warnings/{village_lead['id']}", headers=tokens.county_admin()
        )
        problem(as_warning, 404, "not_found")
    assert await figures(app) == {"department_leads_open": 1}
    assert await figures(app, COUNTY) == {"department_leads_open": 1}


async def test_revealing_a_leads_number_needs_the_scope_and_is_audited(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    async with client_for("monitoring") as client:
        number, lead = await raise_lead(client, app, tokens)
        path = f"{LEADS}/{lead['id']}/person-number"
        problem(await client.get(path, headers=tokens.village_officer()), 403, "scope_required")
        revealer = tokens.headers(
            Role.VILLAGE_OFFICER, VILLAGE, scopes=[Scope.PERSONAL_DATA_REVEAL.value]
        )
        revealed = await client.get(path, headers=revealer)
        assert revealed.status_code == 200 and revealed.json() == {"person_number": number}
    async with app.state.database.sessionmaker() as session:
        audited = await session.scalar(
            select(audit_log.c.actor).where(
                audit_log.c.action == "reveal_person_number", audit_log.c.entity_id == lead["id"]
            )
        )
    assert audited == f"user:test-village_officer-{VILLAGE}"


async def test_a_case_from_a_lead_once_the_person_is_registered(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, officer = apps["monitoring"], tokens.village_officer()
    async with client_for("monitoring") as client:
        number, lead = await raise_lead(client, app, tokens)
        elsewhere = await registered(app, numbers(1))
        body = {"household_id": str(elsewhere.id), "proposed_category": "marginal"}
        refused = await act(client, LEADS, lead, "case", officer, body)
        problem(refused, 409, "lead_person_not_in_household")

        household = await registered(app, [numbers(1)[0], number])
        body["household_id"] = str(household.id)
        converted = await act(client, LEADS, lead, "case", officer, body)
        assert converted.status_code == 201, converted.text
        assert converted.json()["state"] == "converted"
        case = await client.get(converted.headers["Location"], headers=officer)
        assert case.json()["household_id"] == str(household.id)
        assert case.json()["source_reference"] == lead["id"]
    assert await figures(app) == {"department_leads_converted": 1}
