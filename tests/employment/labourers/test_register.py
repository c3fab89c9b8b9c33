"""Registering labourers: the monitoring service confirms the person, the rules are named."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.employment.support import (
    county_staff,
    person,
    posting,
    problem_rule,
    register_labourer,
    stored_figures,
)
from tests.support.identities import OTHER_COUNTY, OTHER_VILLAGE, TOWNSHIP, VILLAGE, TokenFactory


async def test_register_eligible_people(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    exited = await person(apps["monitoring"], kind="exited_poverty")
    monitored = await person(apps["monitoring"], kind="ordinary", status="monitored")
    reviewer = tokens.headers(Role.TOWNSHIP_REVIEWER, TOWNSHIP)
    async with client_for("employment") as client:
        first = await register_labourer(client, reviewer, exited, skills=["电焊"])
        assert first["area_code"] == VILLAGE and first["household_kind"] == "exited_poverty"
        assert first["household_id"] == str(exited.household_id)
        assert exited.number not in str(first) and first["skills"] == ["电焊"]
        second = await register_labourer(client, county_staff(tokens), monitored)
        assert second["monitoring_status"] == "monitored"

        again = await client.post(
            "/api/v1/labourers",
            json={"person_number": exited.number, "name": "李劳动"},
            headers=posting(reviewer),
        )
        assert again.status_code == 409 and again.json()["code"] == "labourer_already_registered"
    assert (await stored_figures(apps["employment"]))["labourers@0"] == 2


async def test_ineligible_people_are_refused_with_the_rule(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    monitoring = apps["monitoring"]
    cases = {
        "labourer_not_eligible": await person(monitoring, kind="ordinary"),
        "labourer_age": await person(monitoring, age=61),
        "labourer_no_labour_ability": await person(monitoring, labour_ability="lost"),
        "person_not_found": await person(monitoring, village=OTHER_VILLAGE),
    }
    async with client_for("employment") as client:
        for rule, who in cases.items():
            answer = await client.post(
                "/api/v1/labourers",
                json={"person_number": who.number, "name": "李劳动"},
                headers=posting(county_staff(tokens)),
            )
            assert answer.status_code == 422, (rule, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert problem_rule(answer) == rule
        bad_number = await client.post(
            "/api/v1/labourers",
            json={"person_number": "411424198001011234", "name": "李劳动"},
            headers=posting(county_staff(tokens)),
        )
        assert bad_number.status_code == 422 and problem_rule(bad_number) == "check_digit"
        village_officer = await client.post(
            "/api/v1/labourers",
            json={"person_number": cases["labourer_age"].number, "name": "李劳动"},
            headers=posting(tokens.village_officer()),
        )
        assert village_officer.status_code == 403
    assert await stored_figures(apps["employment"]) == {}


async def test_read_change_and_train_within_the_area(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    who = await person(apps["monitoring"])
    staff = county_staff(tokens)
    elsewhere = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
    async with client_for("employment") as client:
        labourer = await register_labourer(client, staff, who)
        path = f"/api/v1/labourers/{labourer['id']}"
        assert (await client.get(path, headers=staff)).status_code == 200
        assert (await client.get(path, headers=elsewhere)).status_code == 404
        changed = await client.patch(
            path, json={"certificates": ["焊工证"]}, headers={**staff, "If-Match": "1"}
        )
        assert changed.status_code == 200 and changed.json()["version"] == 2
        stale = await client.patch(path, json={"skills": []}, headers={**staff, "If-Match": "1"})
        assert stale.status_code == 412
        foreign = await client.patch(
            path, json={"skills": []}, headers={**elsewhere, "If-Match": "2"}
        )
        assert foreign.status_code == 404

        course = {"course": "电工培训", "provider": "县职教中心", "started_on": "2025-03-01"}
        trained = await client.post(f"{path}/trainings", json=course, headers=posting(staff))
        assert trained.status_code == 201, trained.text
        listed = await client.get(f"{path}/trainings", headers=staff)
        assert [t["course"] for t in listed.json()] == ["电工培训"]
        assert (await client.get(f"{path}/trainings", headers=elsewhere)).status_code == 404
        assert (
            await client.post(f"{path}/trainings", json=course, headers=posting(elsewhere))
        ).status_code == 404

        found = await client.get(
            "/api/v1/labourers", params={"person_number": who.number}, headers=staff
        )
        assert [item["id"] for item in found.json()["items"]] == [labourer["id"]]
        none_elsewhere = await client.get("/api/v1/labourers", headers=elsewhere)
        assert none_elsewhere.json()["items"] == []
