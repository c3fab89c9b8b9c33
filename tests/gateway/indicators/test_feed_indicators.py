"""Department warnings and leads reach the feeds section of the indicator table."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.monitoring.feeds.support import ensure_default_rules
from tests.monitoring.warnings.support import raise_lead, raise_warning
from tests.support.identities import CITY, COUNTY, TokenFactory


async def test_open_warnings_and_leads_are_counted_per_county(
    gateway: AsyncClient,
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
) -> None:
    monitoring = apps["monitoring"]
    await ensure_default_rules(monitoring)
    async with client_for("monitoring") as client:
        await raise_warning(client, monitoring, tokens)
        await raise_warning(client, monitoring, tokens)
        await raise_lead(client, monitoring, tokens)

    answer = await gateway.get(
        "/api/v1/indicators",
        params={"area": CITY, "level": "county"},
        headers=tokens.headers(Role.CITY_VIEWER, CITY),
    )

    assert answer.status_code == 200, answer.text
    [row] = [row for row in answer.json()["rows"] if row["area_code"] == COUNTY]
    assert row["indicators"]["open_warnings"] == "2"
    assert row["indicators"]["leads"] == "1"
    assert row["indicators"]["warnings_converted"] == "0"
