"""Another service finds a person by the blind index of their number, within the caller's area."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.monitoring.households.support import member, register
from tests.support.identities import COUNTY, OTHER_COUNTY, TokenFactory
from tests.support.monitoring import person_number


async def test_lookup_by_blind_index(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    number = person_number()
    index = apps["monitoring"].state.protector.person_number_index(number).hex()
    async with client_for("monitoring") as client:
        created = await register(
            client, tokens.village_officer(), members=[member(person_number=number)]
        )
        found = await client.get(
            f"/api/v1/people/by-index/{index}", headers=tokens.headers(Role.COUNTY_ADMIN, COUNTY)
        )
        assert found.status_code == 200, found.text
        body = found.json()
        assert body["household_id"] == created["id"] and body["household_kind"] == "exited_poverty"
        assert body["monitoring_status"] == "none" and number not in found.text
        elsewhere = await client.get(
            f"/api/v1/people/by-index/{index}",
            headers=tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY),
        )
        assert elsewhere.status_code == 404
        malformed = await client.get("/api/v1/people/by-index/xyz", headers=tokens.county_admin())
        assert malformed.status_code == 422
