"""Employment figures as of a past date and month by month (按日、按月统计): stored figures
from their dated deltas, overdue loans current-only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.business_time import business_today
from tests.employment.loans.support import apply
from tests.employment.support import county_staff, person, register_labourer, service_headers
from tests.support.dated import month_label, move_back
from tests.support.identities import CITY, COUNTY, TokenFactory

FIGURES = "/api/v1/internal/figures"


async def test_as_of_a_past_day_and_the_monthly_series(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    headers = service_headers(tokens)
    today = business_today()
    async with client_for("employment") as client:
        await register_labourer(client, staff, await person(apps["monitoring"]))
        loan = await apply(client, staff, await person(apps["monitoring"]), amount="20000")
        assert loan.status_code == 201, loan.text
        earlier = await move_back(apps, "employment", 45)
        await register_labourer(client, staff, await person(apps["monitoring"]))
        await register_labourer(client, staff, await person(apps["monitoring"]))

        async def county(**params: str) -> tuple[dict[str, Any], list[str]]:
            answer = await client.get(
                FIGURES, params={"area": CITY, "level": "county", **params}, headers=headers
            )
            assert answer.status_code == 200, answer.text
            body = answer.json()
            rows = {row["area_code"]: row for row in body["rows"]}
            return rows[COUNTY], body["current_only"]

        then, left_out = await county(as_of=str(earlier))
        assert then["figures"]["labourers"] == 1
        assert then["amounts"]["loan_balance"] == "20000.00"
        assert left_out == ["loans_overdue", "overdue_amount"]
        now, left_out = await county()
        assert now["figures"]["labourers"] == 3 and left_out == []
        gone = await client.get(
            FIGURES,
            params={"area": CITY, "level": "county", "as_of": str(earlier - timedelta(days=1))},
            headers=headers,
        )
        assert gone.json()["rows"] == []
        future = await client.get(
            FIGURES,
            params={"area": CITY, "level": "county", "as_of": str(today + timedelta(days=1))},
            headers=headers,
        )
        assert future.status_code == 422 and future.json()["fields"][0]["field"] == "query.as_of"

        series = await client.get(
            f"{FIGURES}/series",
            params={"area": COUNTY, "from": month_label(earlier), "to": month_label(today)},
            headers=headers,
        )
        assert series.status_code == 200, series.text
        months = {m["month"]: m for m in series.json()["months"]}
        assert months[month_label(earlier)]["figures"]["labourers"] == 1
        assert months[month_label(earlier)]["current_only"] == ["loans_overdue", "overdue_amount"]
        assert months[month_label(today)]["figures"]["labourers"] == 3
        assert months[month_label(today)]["current_only"] == []
        refused = await client.get(
            f"{FIGURES}/series",
            params={"area": COUNTY, "from": month_label(today), "to": month_label(today)},
            headers=staff,
        )
        assert refused.status_code == 403
