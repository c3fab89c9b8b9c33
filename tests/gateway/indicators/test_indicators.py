"""The county indicator table through the gateway, with the real services in process."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.support.identities import CITY, COUNTY, OTHER_COUNTY, OTHER_VILLAGE, TokenFactory
from tests.support.monitoring import create_household


async def seed(apps: dict[str, FastAPI]) -> None:
    monitoring = apps["monitoring"]
    await create_household(monitoring, kind="exited_poverty", members=4)
    await create_household(monitoring, kind="exited_poverty", members=2)
    await create_household(monitoring, status="monitored", category="marginal", members=3)
    await create_household(monitoring, status="eliminated", members=5)
    await create_household(monitoring, village=OTHER_VILLAGE, kind="exited_poverty", members=2)


async def test_county_table_with_cross_service_ratios_and_ranks(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    await seed(apps)
    answer = await gateway.get(
        "/api/v1/indicators",
        params={"area": CITY, "level": "county", "rank_by": "risk_elimination_rate"},
        headers=tokens.headers(Role.CITY_VIEWER, CITY),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["unavailable"] == []
    rows = {row["area_code"]: row for row in body["rows"]}
    assert rows[COUNTY]["name"] == "柘城县"
    柘城 = rows[COUNTY]["indicators"]
    assert 柘城["monitored_people"] == "3" and 柘城["eliminated_people"] == "5"
    assert 柘城["risk_elimination_rate"] == "62.50"  # 5 / (3 + 5)
    assert 柘城["eligible_households"] == "3"  # two exited-poverty + one monitored ordinary
    assert rows[COUNTY]["rank"] == 1
    assert rows[OTHER_COUNTY]["indicators"]["risk_elimination_rate"] is None
    assert rows[OTHER_COUNTY]["rank"] is None
    assert body["total"]["indicators"]["eligible_households"] == "4"
    assert body["rows"][0]["area_code"] == COUNTY


async def test_a_county_sees_only_itself(gateway: AsyncClient, tokens: TokenFactory) -> None:
    refused = await gateway.get(
        "/api/v1/indicators",
        params={"area": CITY, "level": "county"},
        headers=tokens.county_admin(),
    )
    assert refused.status_code == 404
    own = await gateway.get(
        "/api/v1/indicators",
        params={"area": COUNTY, "level": "township"},
        headers=tokens.county_admin(),
    )
    assert own.status_code == 200
    # Funds keep no figures below counties: not asked, and not counted as a failed service.
    assert own.json()["unavailable"] == [] and own.json()["not_applicable"] == ["funds"]
    officer = await gateway.get(
        "/api/v1/indicators",
        params={"area": COUNTY, "level": "village"},
        headers=tokens.village_officer(),
    )
    assert officer.status_code == 403


async def test_ties_share_a_rank(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    await create_household(apps["monitoring"], kind="exited_poverty", members=2)
    await create_household(
        apps["monitoring"], village=OTHER_VILLAGE, kind="exited_poverty", members=2
    )
    body = (
        await gateway.get(
            "/api/v1/indicators",
            params={"area": CITY, "level": "county", "rank_by": "eligible_households"},
            headers=tokens.headers(Role.CITY_VIEWER, CITY),
        )
    ).json()
    ranks = {row["area_code"]: row["rank"] for row in body["rows"] if row["rank"] is not None}
    assert ranks[COUNTY] == ranks[OTHER_COUNTY] == 1


async def test_stopped_and_stalled_services_leave_their_sections_empty(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    await seed(apps)
    employment = apps["employment"]

    async def stalled(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(30)
        await employment(scope, receive, send)

    apps["gateway"].state.settings.indicators_deadline_seconds = 0.5
    apps["gateway"].state.upstreams["funds"] = httpx.AsyncClient(base_url="http://127.0.0.1:9")
    apps["gateway"].state.upstreams["employment"] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stalled), base_url="http://employment"
    )
    started = asyncio.get_running_loop().time()
    answer = await gateway.get(
        "/api/v1/indicators",
        params={"area": CITY, "level": "county"},
        headers=tokens.headers(Role.CITY_VIEWER, CITY),
    )
    elapsed = asyncio.get_running_loop().time() - started
    assert answer.status_code == 200
    body = answer.json()
    assert sorted(body["unavailable"]) == ["employment", "funds"]
    county = next(row for row in body["rows"] if row["area_code"] == COUNTY)["indicators"]
    assert county["monitored_people"] == "3"
    assert county["spending_progress"] is None and county["labourers"] is None
    assert elapsed < 5  # bounded by the deadline, not by the stalled service


async def test_exports(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    await seed(apps)
    params = {"area": CITY, "level": "county"}
    headers = tokens.headers(Role.CITY_VIEWER, CITY)
    csv_answer = await gateway.get(
        "/api/v1/indicators", params={**params, "format": "csv"}, headers=headers
    )
    lines = csv_answer.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("排名,区划代码,区划名称,监测户数")
    assert lines[-1].startswith("合计,411400000000,商丘市")
    xlsx = await gateway.get(
        "/api/v1/indicators", params={**params, "format": "xlsx"}, headers=headers
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "attachment" in xlsx.headers["content-disposition"]


async def test_catalogue_and_bad_input(gateway: AsyncClient, tokens: TokenFactory) -> None:
    headers = tokens.headers(Role.CITY_VIEWER, CITY)
    catalogue = (await gateway.get("/api/v1/indicators/catalogue", headers=headers)).json()
    keys = {item["key"]: item for item in catalogue}
    assert keys["new_loan_rate"]["sources"] == ["employment", "monitoring"]
    assert keys["overdue_amount"]["higher_is_better"] is False
    unknown = await gateway.get(
        "/api/v1/indicators",
        params={"area": CITY, "level": "county", "rank_by": "nope"},
        headers=headers,
    )
    assert unknown.status_code == 422 and unknown.json()["fields"][0]["rule"] == "indicator_unknown"
    upward = await gateway.get(
        "/api/v1/indicators", params={"area": CITY, "level": "city"}, headers=headers
    )
    assert upward.status_code == 422
