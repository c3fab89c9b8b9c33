"""Figures as of a past date and month by month (按日、按月统计), from the dated deltas."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role, Scope
from services.common.business_time import business_today
from tests.support.dated import month_label, move_back
from tests.support.identities import CITY, COUNTY, NATION, OTHER_VILLAGE, TokenFactory
from tests.support.monitoring import create_household

FIGURES = "/api/v1/internal/figures"


def service_headers(tokens: TokenFactory) -> dict[str, str]:
    return tokens.headers(
        Role.ADMINISTRATOR, NATION, scopes=[Scope.INTERNAL.value], sub="client:gateway"
    )


async def test_as_of_a_past_day_gives_the_earlier_values_exactly(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    await create_household(app, kind="exited_poverty", members=4)
    await create_household(app, village=OTHER_VILLAGE, status="eliminated", members=5)
    earlier = await move_back(apps, "monitoring", 70)
    await create_household(app, status="monitored", category="marginal", members=2)
    await create_household(app, kind="exited_poverty", members=1)
    headers = service_headers(tokens)
    async with client_for("monitoring") as client:

        async def people(**params: str) -> dict[str, int]:
            answer = await client.get(
                FIGURES, params={"area": CITY, "level": "county", **params}, headers=headers
            )
            assert answer.status_code == 200, answer.text
            return {row["area_code"]: row["figures"] for row in answer.json()["rows"]}

        before = await people(as_of=str(earlier + timedelta(days=1)))
        assert before[COUNTY] == {
            "households": 1,
            "people": 4,
            "exited_poverty_households": 1,
            "exited_poverty_people": 4,
        }
        assert before["411422000000"]["eliminated_people"] == 5
        assert await people(as_of=str(earlier - timedelta(days=1))) == {}
        now = await people()
        assert now[COUNTY]["people"] == 7 and now[COUNTY]["monitored_households:marginal"] == 1
        assert await people(as_of=str(business_today())) == now

        future = await client.get(
            FIGURES,
            params={"area": CITY, "level": "county", "as_of": str(business_today() + timedelta(1))},
            headers=headers,
        )
        assert future.status_code == 422
        assert future.json()["fields"][0] == {
            "field": "query.as_of",
            "rule": "not_in_future",
            "message": future.json()["fields"][0]["message"],
        }


async def test_series_accumulates_month_by_month(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    await create_household(app, kind="exited_poverty", members=4)
    two_months_ago = await move_back(apps, "monitoring", 62)
    await create_household(app, kind="exited_poverty", members=2)
    await create_household(app, village=OTHER_VILLAGE, kind="exited_poverty", members=3)
    headers = service_headers(tokens)
    start = two_months_ago.replace(day=1) - timedelta(days=1)  # the month before
    async with client_for("monitoring") as client:
        answer = await client.get(
            f"{FIGURES}/series",
            params={
                "area": COUNTY,
                "from": month_label(start),
                "to": month_label(business_today()),
            },
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
        months = answer.json()["months"]
        assert months[0]["month"] == month_label(start)
        assert months[-1]["as_of"] == str(business_today())
        people = {m["month"]: m["figures"].get("people", 0) for m in months}
        assert people[month_label(start)] == 0
        assert people[month_label(two_months_ago)] == 4
        assert people[month_label(business_today())] == 6  # the other county's 3 not counted

        too_long = await client.get(
            f"{FIGURES}/series",
            params={"area": COUNTY, "from": "2020-01", "to": "2023-01"},
            headers=headers,
        )
        assert too_long.status_code == 422
        assert too_long.json()["fields"][0]["rule"] == "at_most_36_months"
        backwards = await client.get(
            f"{FIGURES}/series",
            params={"area": COUNTY, "from": "2024-02", "to": "2024-01"},
            headers=headers,
        )
        assert backwards.json()["fields"][0]["rule"] == "not_before_from"
        refused = await client.get(
            f"{FIGURES}/series",
            params={"area": COUNTY, "from": "2024-01", "to": "2024-02"},
            headers=tokens.county_admin(),
        )
        assert refused.status_code == 403
