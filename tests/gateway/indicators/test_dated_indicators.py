"""Indicators as of a past day and one area month by month (截至日期、按月变化), through the
gateway with the real services in process."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from services.common.business_time import business_today
from tests.support.dated import month_label, move_back
from tests.support.identities import CITY, COUNTY, OTHER_COUNTY, OTHER_VILLAGE, TokenFactory
from tests.support.monitoring import create_household

INDICATORS = "/api/v1/indicators"


async def history(apps: dict[str, FastAPI]) -> str:
    """Two households 40 days ago, two more today; returns the earlier day."""
    monitoring = apps["monitoring"]
    await create_household(monitoring, status="monitored", category="marginal", members=3)
    await create_household(monitoring, status="eliminated", members=5)
    earlier = await move_back(apps, "monitoring", 40)
    await create_household(monitoring, status="eliminated", members=3)
    await create_household(monitoring, village=OTHER_VILLAGE, kind="exited_poverty", members=2)
    return str(earlier)


async def test_as_of_a_past_day_gives_the_earlier_indicators(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    earlier = await history(apps)
    headers = tokens.headers(Role.CITY_VIEWER, CITY)
    params = {"area": CITY, "level": "county"}
    then = await gateway.get(INDICATORS, params={**params, "as_of": earlier}, headers=headers)
    assert then.status_code == 200, then.text
    body = then.json()
    assert body["as_of"] == earlier and body["unavailable"] == []
    rows = {row["area_code"]: row["indicators"] for row in body["rows"]}
    assert rows[COUNTY]["risk_elimination_rate"] == "62.50"  # 5 / (3 + 5)
    assert rows[OTHER_COUNTY]["eligible_households"] == "0"
    assert rows[COUNTY]["overdue_amount"] is None  # overdue loans are current-only
    assert body["total"]["indicators"]["eliminated_people"] == "5"

    now = (await gateway.get(INDICATORS, params=params, headers=headers)).json()
    rows = {row["area_code"]: row["indicators"] for row in now["rows"]}
    assert now["as_of"] == str(business_today())
    assert rows[COUNTY]["risk_elimination_rate"] == "72.73"  # 8 / (3 + 8)
    assert rows[OTHER_COUNTY]["eligible_households"] == "1"
    assert rows[COUNTY]["overdue_amount"] == "0"

    future = await gateway.get(
        INDICATORS,
        params={**params, "as_of": str(business_today() + timedelta(days=1))},
        headers=headers,
    )
    assert future.status_code == 422
    assert future.json()["fields"][0]["field"] == "query.as_of"
    refused = await gateway.get(
        INDICATORS, params={**params, "as_of": earlier}, headers=tokens.county_admin()
    )
    assert refused.status_code == 404


async def test_series_of_one_county_month_by_month(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    earlier = await history(apps)
    today = business_today()
    start = month_label(today.replace(day=1) - timedelta(days=70))
    params = {"area": COUNTY, "from": start, "to": month_label(today)}
    answer = await gateway.get(f"{INDICATORS}/series", params=params, headers=tokens.county_admin())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["name"] == "柘城县" and body["unavailable"] == []
    months = {row["month"]: row for row in body["rows"]}
    assert body["rows"][0]["month"] == start and len(months) >= 3
    assert months[start]["indicators"]["eliminated_people"] == "0"
    assert months[start]["indicators"]["risk_elimination_rate"] is None
    then = months[earlier[:7]]["indicators"]
    assert then["eliminated_people"] == "5" and then["risk_elimination_rate"] == "62.50"
    assert then["overdue_amount"] is None  # a past month: current-only
    last = months[month_label(today)]
    assert last["as_of"] == str(today)
    assert last["indicators"]["risk_elimination_rate"] == "72.73"
    assert last["indicators"]["eligible_households"] == "1"  # the other county's not counted

    csv_answer = await gateway.get(
        f"{INDICATORS}/series", params={**params, "format": "csv"}, headers=tokens.county_admin()
    )
    lines = csv_answer.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("月份,截至日期,监测户数")
    assert lines[-1].startswith(f"{month_label(today)},{today}")
    xlsx = await gateway.get(
        f"{INDICATORS}/series", params={**params, "format": "xlsx"}, headers=tokens.county_admin()
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    elsewhere = await gateway.get(
        f"{INDICATORS}/series", params=params, headers=tokens.other_county_admin()
    )
    assert elsewhere.status_code == 404
    officer = await gateway.get(
        f"{INDICATORS}/series", params=params, headers=tokens.village_officer()
    )
    assert officer.status_code == 403
    too_long = await gateway.get(
        f"{INDICATORS}/series",
        params={"area": COUNTY, "from": "2020-01", "to": "2023-06"},
        headers=tokens.county_admin(),
    )
    assert too_long.status_code == 422
    assert too_long.json()["fields"][0]["rule"] == "at_most_36_months"
    future = await gateway.get(
        f"{INDICATORS}/series",
        params={"area": COUNTY, "from": "2020-01", "to": f"{today.year + 1}-01"},
        headers=tokens.county_admin(),
    )
    assert future.status_code == 422 and future.json()["fields"][0]["rule"] == "not_in_future"
    year_zero = await gateway.get(
        f"{INDICATORS}/series",
        params={"area": COUNTY, "from": "0000-01", "to": "0000-01"},
        headers=tokens.county_admin(),
    )
    assert year_zero.status_code == 422 and year_zero.json()["fields"][0]["field"] == "query.from"


async def test_series_with_a_stopped_and_a_stalled_service(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    await history(apps)
    employment = apps["employment"]

    async def stalled(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(30)
        await employment(scope, receive, send)

    apps["gateway"].state.settings.indicators_deadline_seconds = 0.5
    apps["gateway"].state.upstreams["funds"] = httpx.AsyncClient(base_url="http://127.0.0.1:9")
    apps["gateway"].state.upstreams["employment"] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stalled), base_url="http://employment"
    )
    today = month_label(business_today())
    started = asyncio.get_running_loop().time()
    answer = await gateway.get(
        f"{INDICATORS}/series",
        params={"area": COUNTY, "from": today, "to": today},
        headers=tokens.county_admin(),
    )
    elapsed = asyncio.get_running_loop().time() - started
    assert answer.status_code == 200
    body = answer.json()
    assert sorted(body["unavailable"]) == ["employment", "funds"]
    [row] = body["rows"]
    assert row["indicators"]["eliminated_people"] == "8"
    assert row["indicators"]["spending_progress"] is None
    assert row["indicators"]["labourers"] is None
    assert elapsed < 5  # bounded by the deadline, not by the stalled service
