"""Yearly employment targets per county and completion against them."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.employment.support import (
    add_spell,
    county_staff,
    person,
    problem_rule,
    register_labourer,
)
from tests.support.identities import CITY, COUNTY, OTHER_COUNTY, TOWNSHIP, TokenFactory


async def test_target_and_completion(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    path = f"/api/v1/employment-targets/{COUNTY}/2025"
    async with client_for("employment") as client:
        created = await client.put(path, json={"target": 3}, headers=staff)
        assert created.status_code == 201, created.text
        needs_version = await client.put(path, json={"target": 4}, headers=staff)
        assert needs_version.status_code == 428
        replaced = await client.put(path, json={"target": 4}, headers={**staff, "If-Match": "1"})
        assert replaced.status_code == 200 and replaced.json()["version"] == 2
        for place in ("in_county", "out_of_province", "out_of_province"):
            labourer = await register_labourer(client, staff, await person(apps["monitoring"]))
            await add_spell(
                client,
                staff,
                labourer["id"],
                place_class=place,
                start_date="2025-02-01",
                end_date="2025-09-30",
            )
        answer = await client.get(
            "/api/v1/employment-targets",
            params={"year": 2025},
            headers=tokens.headers(Role.CITY_VIEWER, CITY),
        )
        (county,) = answer.json()
        assert (county["target"], county["employed"], county["completion_rate"]) == (4, 3, "75.00")
        assert county["employed_out_of_province"] == 2 and county["employed_in_county"] == 1

        elsewhere = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
        assert (await client.put(path, json={"target": 1}, headers=elsewhere)).status_code == 404
        hidden = await client.get(
            "/api/v1/employment-targets", params={"year": 2025}, headers=elsewhere
        )
        assert hidden.json() == []
        not_county = await client.put(
            f"/api/v1/employment-targets/{TOWNSHIP}/2025", json={"target": 1}, headers=staff
        )
        assert problem_rule(not_county) == "not_a_county"
        reviewer = await client.put(
            path, json={"target": 1}, headers=tokens.headers(Role.TOWNSHIP_REVIEWER, TOWNSHIP)
        )
        assert reviewer.status_code == 403
