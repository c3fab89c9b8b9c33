"""The internal figures route: sums by level under an area, for service tokens only."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role, Scope
from tests.support.identities import CITY, COUNTY, NATION, OTHER_VILLAGE, PROVINCE, TokenFactory
from tests.support.monitoring import create_household


async def test_figures_by_county_and_village(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    await create_household(app, kind="exited_poverty", members=4)
    await create_household(app, status="monitored", category="marginal", members=2)
    await create_household(app, village=OTHER_VILLAGE, status="eliminated", members=5)
    service = tokens.headers(
        Role.ADMINISTRATOR, NATION, scopes=[Scope.INTERNAL.value], sub="client:gateway"
    )
    async with client_for("monitoring") as client:
        by_county = await client.get(
            "/api/v1/internal/figures", params={"area": CITY, "level": "county"}, headers=service
        )
        assert by_county.status_code == 200, by_county.text
        rows = {row["area_code"]: row["figures"] for row in by_county.json()["rows"]}
        assert rows[COUNTY] == {
            "households": 2,
            "people": 6,
            "exited_poverty_households": 1,
            "exited_poverty_people": 4,
            "monitored_households": 1,
            "monitored_people": 2,
            "monitored_households:marginal": 1,
            "monitored_people:marginal": 2,
            "monitored_not_exited_households": 1,
        }
        assert rows["411422000000"] == {
            "households": 1,
            "people": 5,
            "eliminated_households": 1,
            "eliminated_people": 5,
        }
        by_province = await client.get(
            "/api/v1/internal/figures",
            params={"area": NATION, "level": "province"},
            headers=service,
        )
        assert {
            row["area_code"]: row["figures"]["people"] for row in by_province.json()["rows"]
        } == {PROVINCE: 11}

        refused = await client.get(
            "/api/v1/internal/figures",
            params={"area": CITY, "level": "county"},
            headers=tokens.county_admin(),
        )
        assert refused.status_code == 403
        wrong_level = await client.get(
            "/api/v1/internal/figures", params={"area": COUNTY, "level": "city"}, headers=service
        )
        assert wrong_level.status_code == 422
