"""Fund figures as of a past date and month by month (按日、按月统计), from the dated deltas."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.business_time import business_today
from tests.funds.support import API, YEAR, Staff, allocate, created, funded_link, pay
from tests.support.dated import month_label, move_back
from tests.support.identities import CITY, COUNTY, VILLAGE, TokenFactory

FIGURES = f"{API}/internal/figures"


async def test_as_of_a_past_day_gives_the_earlier_sums_and_progress(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        _, _, fund_link = await funded_link(client, staff, amount="100000.00")
        created(await pay(client, staff.clerk, fund_link, "50000.00"))
        earlier = await move_back(apps, "funds", 40)
        created(await pay(client, staff.clerk, fund_link, "25000.00"))
        await allocate(client, staff.clerk, level="provincial", amount="500000.00")

        async def county(**params: str) -> dict[str, Any]:
            answer = await client.get(
                FIGURES,
                params={"area": CITY, "level": "county", "year": YEAR, **params},
                headers=staff.gateway,
            )
            assert answer.status_code == 200, answer.text
            rows = {row["area_code"]: row for row in answer.json()["rows"]}
            return rows[COUNTY]

        then = await county(as_of=str(earlier))
        assert then["figures"]["allocated"] == "1000000.00"
        assert then["figures"]["allocated:provincial"] == "0.00"
        assert then["figures"]["paid"] == "50000.00"
        assert then["standing"]["spending_progress"] == "5.00"
        now = await county()
        assert now["figures"]["paid"] == "75000.00"
        assert now["standing"]["spending_progress"] == "5.00"  # 75k / 1.5M
        before = await client.get(
            FIGURES,
            params={"area": CITY, "level": "county", "as_of": str(earlier - timedelta(days=1))},
            headers=staff.gateway,
        )
        assert before.json()["rows"] == []
        future = await client.get(
            FIGURES,
            params={"area": CITY, "level": "county", "as_of": str(business_today() + timedelta(1))},
            headers=staff.gateway,
        )
        assert future.status_code == 422
        assert future.json()["fields"][0]["rule"] == "not_in_future"


async def test_series_accumulates_month_by_month(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    today = business_today()
    this_year = {"year": today.year, "issued_on": str(today), "document_number": "财农〔当年〕1号"}
    async with client_for("funds") as client:
        await allocate(client, staff.clerk, amount="300000.00", **this_year)
        earlier = await move_back(apps, "funds", 35)
        await allocate(client, staff.clerk, amount="200000.00", **this_year)
        answer = await client.get(
            f"{FIGURES}/series",
            params={"area": COUNTY, "from": month_label(earlier), "to": month_label(today)},
            headers=staff.gateway,
        )
        assert answer.status_code == 200, answer.text
        months = {m["month"]: m for m in answer.json()["months"]}
        expected_then = "300000.00" if earlier.year == today.year else "0.00"
        assert months[month_label(earlier)]["figures"]["allocated"] == expected_then
        assert months[month_label(today)]["figures"]["allocated"] == "500000.00"
        assert months[month_label(today)]["as_of"] == str(today)

        below = await client.get(
            f"{FIGURES}/series",
            params={"area": VILLAGE, "from": month_label(today), "to": month_label(today)},
            headers=staff.gateway,
        )
        assert below.status_code == 422 and below.json()["fields"][0]["field"] == "query.area"
        refused = await client.get(
            f"{FIGURES}/series",
            params={"area": COUNTY, "from": month_label(today), "to": month_label(today)},
            headers=staff.clerk,
        )
        assert refused.status_code == 403
