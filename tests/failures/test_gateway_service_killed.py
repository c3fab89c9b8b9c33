"""A service stops answering, then is killed (SIGKILL), while the gateway aggregates the
per-county indicators (考核指标): every answer still comes within the deadline (plus a
generous margin for a loaded machine), with the other services' sections filled and the
missing service named in `unavailable`."""

from __future__ import annotations

import asyncio
import signal
import time
from typing import Any

import httpx

from services.common.auth.roles import Role
from tests.failures.servers import Apps, Throwaway
from tests.support.identities import CITY, TokenFactory

DEADLINE = 3.0
MARGIN = 10.0  # the only time this folder asserts on: the deadline property itself
INDICATORS = "/api/v1/indicators"


async def indicators(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    started = time.monotonic()
    answer = await client.get(INDICATORS, params={"area": CITY, "level": "county"}, headers=headers)
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert answer.status_code == 200, answer.text
    table: dict[str, Any] = answer.json()
    assert len(table["rows"]) > 1  # the counties of the city
    return table


def sections(table: dict[str, Any], keys: dict[str, set[str]]) -> dict[str, bool]:
    """Which services' indicators carry values in the total row."""
    values = table["total"]["indicators"]
    return {
        service: any(values.get(key) is not None for key in service_keys)
        for service, service_keys in keys.items()
    }


async def test_a_killed_service_leaves_a_degraded_answer_in_time(
    throwaway: Throwaway, processes: Apps, tokens: TokenFactory
) -> None:
    apps = processes.start(
        "monitoring",
        "funds",
        "employment",
        "gateway",
        GATEWAY_INDICATORS_DEADLINE_SECONDS=str(DEADLINE),
    )
    funds = apps["funds"]
    headers = tokens.headers(Role.CITY_VIEWER, CITY, sub="user:failures-city")
    async with httpx.AsyncClient(base_url=apps["gateway"].url, timeout=60) as client:
        catalogue = await client.get(f"{INDICATORS}/catalogue", headers=headers)
        assert catalogue.status_code == 200, catalogue.text
        keys: dict[str, set[str]] = {"monitoring": set(), "funds": set(), "employment": set()}
        for indicator in catalogue.json():
            if len(indicator["sources"]) == 1:
                keys[indicator["sources"][0]].add(indicator["key"])

        whole = await indicators(client, headers)
        assert whole["unavailable"] == []
        assert sections(whole, keys) == {"monitoring": True, "funds": True, "employment": True}

        # Hung: the process is stopped; the gateway stops waiting at the deadline.
        funds.send(signal.SIGSTOP)
        hung = await indicators(client, headers)
        # Killed while the gateway's request to it is under way.
        during = asyncio.create_task(indicators(client, headers))
        await asyncio.sleep(0.5)
        funds.kill()
        killed = await during
        # Gone: the port refuses connections.
        gone = await indicators(client, headers)

    for degraded in (hung, killed, gone):
        assert degraded["unavailable"] == ["funds"]
        assert sections(degraded, keys) == {"monitoring": True, "funds": False, "employment": True}
        assert [row["area_code"] for row in degraded["rows"]] == [
            row["area_code"] for row in whole["rows"]
        ]
