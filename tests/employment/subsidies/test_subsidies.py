"""Subsidies: the transport subsidy needs months out of the province; each subsidy is paid once
per person and year (409 the second time, nothing written)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.employment.support import (
    add_spell,
    county_staff,
    person,
    posting,
    problem_rule,
    register_labourer,
    stored_figures,
)
from tests.support.identities import OTHER_COUNTY, TokenFactory


async def test_transport_subsidy_once_a_year_for_out_of_province_work(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    async with client_for("employment") as client:
        labourer = (await register_labourer(client, staff, await person(apps["monitoring"])))["id"]
        away = {"place_class": "out_of_province", "employer": "广东某电子厂"}
        await add_spell(
            client, staff, labourer, start_date="2025-03-01", end_date="2025-05-28", **away
        )
        body = {"labourer_id": labourer, "year": 2025, "paid_on": "2025-06-10"}
        short = await client.post("/api/v1/subsidies/transport", json=body, headers=posting(staff))
        assert short.status_code == 422, short.text
        assert problem_rule(short) == "transport_subsidy_not_eligible"
        await add_spell(
            client, staff, labourer, start_date="2025-05-29", end_date="2025-08-31", **away
        )
        paid = await client.post("/api/v1/subsidies/transport", json=body, headers=posting(staff))
        assert paid.status_code == 201, paid.text
        assert paid.json()["amount"] == "500.00" and paid.json()["kind"] == "transport"
        twice = await client.post(
            "/api/v1/subsidies/transport",
            json={**body, "paid_on": "2025-07-01"},
            headers=posting(staff),
        )
        assert twice.status_code == 409 and twice.json()["code"] == "subsidy_already_paid"
        assert twice.headers["content-type"] == "application/problem+json"

        path = f"/api/v1/subsidies/{paid.json()['id']}"
        assert (await client.get(path, headers=staff)).status_code == 200
        elsewhere = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
        assert (await client.get(path, headers=elsewhere)).status_code == 404
        foreign = await client.post(
            "/api/v1/subsidies/transport",
            json={**body, "year": 2024},
            headers=posting(elsewhere),
        )
        assert foreign.status_code == 404
        listed = await client.get("/api/v1/subsidies", params={"year": 2025}, headers=staff)
        assert [item["id"] for item in listed.json()["items"]] == [paid.json()["id"]]
    figures = await stored_figures(apps["employment"])
    assert figures["subsidies:transport@2025"] == 1
    assert figures["subsidy_amount:transport@2025"] == 500


async def test_study_subsidy_for_eligible_households_once_a_year(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    student = await person(apps["monitoring"], age=17)
    ordinary = await person(apps["monitoring"], kind="ordinary", age=17)
    body = {"name": "李同学", "school": "商丘职业技术学院", "year": 2026, "paid_on": "2026-10-08"}
    async with client_for("employment") as client:
        paid = await client.post(
            "/api/v1/subsidies/study",
            json={**body, "person_number": student.number},
            headers=posting(staff),
        )
        assert paid.status_code == 201, paid.text
        assert paid.json()["amount"] == "3000.00" and student.number not in paid.text
        twice = await client.post(
            "/api/v1/subsidies/study",
            json={**body, "person_number": student.number, "school": "另一所学校"},
            headers=posting(staff),
        )
        assert twice.status_code == 409 and twice.json()["code"] == "subsidy_already_paid"
        next_year = await client.post(
            "/api/v1/subsidies/study",
            json={**body, "person_number": student.number, "year": 2025},
            headers=posting(staff),
        )
        assert next_year.status_code == 201
        refused = await client.post(
            "/api/v1/subsidies/study",
            json={**body, "person_number": ordinary.number},
            headers=posting(staff),
        )
        assert refused.status_code == 422 and problem_rule(refused) == "student_not_eligible"
    figures = await stored_figures(apps["employment"])
    assert figures["subsidies:study@2026"] == 1 and figures["subsidy_amount:study@2026"] == 3000
    assert figures["subsidies:study@2025"] == 1
