"""Assistance workshops qualify while at least 5 workers from exited-poverty households work
there today."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from services.common.business_time import business_today
from tests.employment.support import (
    add_spell,
    county_staff,
    person,
    posting,
    problem_rule,
    register_labourer,
    service_headers,
)
from tests.support.identities import CITY, COUNTY, OTHER_COUNTY, TOWNSHIP, TokenFactory

WORKSHOP = {"area_code": TOWNSHIP, "name": "慈圣镇服装帮扶车间", "operator": "某服饰有限公司"}


async def test_workshop_qualifies_with_five_exited_poverty_workers(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    today = business_today()
    async with client_for("employment") as client:
        created = await client.post(
            "/api/v1/assistance-workshops", json=WORKSHOP, headers=posting(staff)
        )
        assert created.status_code == 201, created.text
        workshop = created.json()
        assert workshop["qualifying"] is False and workshop["required_exited_poverty_workers"] == 5
        job = {
            "kind": "assistance_workshop",
            "workshop_id": workshop["id"],
            "start_date": f"{today.year}-01-01",
            "monthly_wage": "2200.00",
        }
        monitored = await person(apps["monitoring"], kind="ordinary", status="monitored")
        others = [await person(apps["monitoring"]) for _ in range(5)]
        for who in [monitored, *others[:4]]:
            labourer = await register_labourer(client, staff, who)
            assert (await add_spell(client, staff, labourer["id"], **job)).status_code == 201
        path = f"/api/v1/assistance-workshops/{workshop['id']}"
        four = (await client.get(path, headers=staff)).json()
        assert (four["workers"], four["exited_poverty_workers"], four["qualifying"]) == (
            5,
            4,
            False,
        )

        fifth = await register_labourer(client, staff, others[4])
        left_already = await add_spell(
            client,
            staff,
            fifth["id"],
            **{
                **job,
                "start_date": f"{today.year - 1}-01-01",
                "end_date": f"{today.year - 1}-12-31",
            },
        )
        assert left_already.status_code == 201
        assert (await client.get(path, headers=staff)).json()["qualifying"] is False
        assert (await add_spell(client, staff, fifth["id"], **job)).status_code == 201
        five = (await client.get(path, headers=staff)).json()
        assert (five["exited_poverty_workers"], five["qualifying"]) == (5, True)

        figures = await client.get(
            "/api/v1/internal/figures",
            params={"area": CITY, "level": "county"},
            headers=service_headers(tokens),
        )
        counts = {row["area_code"]: row["figures"] for row in figures.json()["rows"]}[COUNTY]
        assert counts["assistance_workshops"] == 1
        assert counts["assistance_workshops_qualifying"] == 1
        assert counts["assistance_workshop_exited_poverty_workers"] == 5
        assert counts["assistance_workshop_workers"] == 6

        away = await add_spell(
            client, staff, fifth["id"], **{**job, "place_class": "out_of_province"}
        )
        assert problem_rule(away) == "local_place_required"


async def test_workshops_are_scoped(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    elsewhere = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
    async with client_for("employment") as client:
        outside = await client.post(
            "/api/v1/assistance-workshops",
            json={**WORKSHOP, "area_code": "411422101000"},
            headers=posting(staff),
        )
        assert problem_rule(outside) == "area_out_of_scope"
        county_level = await client.post(
            "/api/v1/assistance-workshops",
            json={**WORKSHOP, "area_code": COUNTY},
            headers=posting(staff),
        )
        assert problem_rule(county_level) == "not_township_or_village"
        workshop = (
            await client.post("/api/v1/assistance-workshops", json=WORKSHOP, headers=posting(staff))
        ).json()
        path = f"/api/v1/assistance-workshops/{workshop['id']}"
        assert (await client.get(path, headers=elsewhere)).status_code == 404
        renamed = await client.patch(
            path, json={"industry": "服装加工"}, headers={**staff, "If-Match": "1"}
        )
        assert renamed.status_code == 200 and renamed.json()["industry"] == "服装加工"
        foreign = await client.patch(
            path, json={"industry": "x"}, headers={**elsewhere, "If-Match": "2"}
        )
        assert foreign.status_code == 404
        listed = await client.get("/api/v1/assistance-workshops", headers=elsewhere)
        assert listed.json()["items"] == []
