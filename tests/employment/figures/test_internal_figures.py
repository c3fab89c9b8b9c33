"""The internal figures route: exact per-area employment and microcredit figures for the
gateway, for service tokens only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.business_time import business_today
from tests.employment.loans.support import apply
from tests.employment.support import (
    add_spell,
    county_staff,
    person,
    posting,
    register_labourer,
    service_headers,
)
from tests.support.identities import CITY, COUNTY, NATION, OTHER_VILLAGE, PROVINCE, TokenFactory


async def test_figures_by_county(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    year = business_today().year
    other_staff = tokens.county_admin("411422000000")
    async with client_for("employment") as client:
        await client.put(
            f"/api/v1/employment-targets/{COUNTY}/{year}", json={"target": 2}, headers=staff
        )
        labourer = await register_labourer(client, staff, await person(apps["monitoring"]))
        await add_spell(
            client,
            staff,
            labourer["id"],
            place_class="in_province",
            start_date=f"{year}-01-01",
            end_date=f"{year}-06-30",
        )
        other = await register_labourer(
            client, other_staff, await person(apps["monitoring"], village=OTHER_VILLAGE)
        )
        await add_spell(client, other_staff, other["id"], start_date=f"{year}-03-01")
        paid = await client.post(
            "/api/v1/subsidies/study",
            json={
                "person_number": (await person(apps["monitoring"], age=18)).number,
                "name": "李同学",
                "school": "商丘技师学院",
                "year": year,
                "paid_on": f"{year}-09-10",
            },
            headers=posting(staff),
        )
        assert paid.status_code == 201, paid.text
        loan = await apply(client, staff, await person(apps["monitoring"]), amount="20000")
        assert loan.status_code == 201
        await client.post(
            f"/api/v1/loans/{loan.json()['id']}/repayments",
            json={"paid_on": business_today().isoformat(), "amount": "5000"},
            headers=posting(staff),
        )

        answer = await client.get(
            "/api/v1/internal/figures",
            params={"area": CITY, "level": "county", "year": year},
            headers=service_headers(tokens),
        )
        assert answer.status_code == 200, answer.text
        rows = {row["area_code"]: row for row in answer.json()["rows"]}
        ours = rows[COUNTY]
        assert ours["figures"] == {
            "employed": 1,
            "employed:in_province": 1,
            "employment_target": 2,
            "households_loan_outstanding": 1,
            "households_new_loan": 1,
            "labourers": 1,
            "loans_new": 1,
            "subsidies:study": 1,
        }
        assert ours["amounts"] == {
            "amount_lent": "20000.00",
            "loan_balance": "15000.00",
            "subsidy_amount:study": "3000.00",
        }
        assert ours["ratios"] == {"employment_completion_rate": "50.00"}
        assert rows["411422000000"]["figures"] == {
            "employed": 1,
            "employed:in_county": 1,
            "labourers": 1,
        }
        by_province = await client.get(
            "/api/v1/internal/figures",
            params={"area": NATION, "level": "province", "year": year},
            headers=service_headers(tokens),
        )
        (province,) = by_province.json()["rows"]
        assert province["area_code"] == PROVINCE and province["figures"]["labourers"] == 2

        refused = await client.get(
            "/api/v1/internal/figures", params={"area": CITY, "level": "county"}, headers=staff
        )
        assert refused.status_code == 403
        wrong_level = await client.get(
            "/api/v1/internal/figures",
            params={"area": COUNTY, "level": "city"},
            headers=service_headers(tokens),
        )
        assert wrong_level.status_code == 422
        broken_code = await client.get(
            "/api/v1/internal/figures",
            params={"area": "410000001000", "level": "village"},
            headers=service_headers(tokens),
        )
        assert broken_code.status_code == 422


async def test_overdue_loans_are_counted_from_their_schedules(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    today = business_today()
    issued = date(today.year - 2, today.month, 1)

    def schedule(first: str, second: str) -> list[dict[str, str]]:
        return [
            {"due_date": (issued + timedelta(days=365)).isoformat(), "principal": first},
            {"due_date": date(issued.year + 3, issued.month, 1).isoformat(), "principal": second},
        ]

    async with client_for("employment") as client:
        behind = await apply(
            client,
            staff,
            await person(apps["monitoring"]),
            issue_date=issued.isoformat(),
            schedule=schedule("10000.00", "20000.00"),
        )
        assert behind.status_code == 201, behind.text
        repaid = await client.post(
            f"/api/v1/loans/{behind.json()['id']}/repayments",
            json={"paid_on": today.isoformat(), "amount": "4000.00"},
            headers=posting(staff),
        )
        assert repaid.status_code == 200, repaid.text
        # Repaid what was due: not overdue. A loan with nothing due yet: not overdue either.
        on_time = await apply(
            client,
            staff,
            await person(apps["monitoring"]),
            issue_date=issued.isoformat(),
            amount="10000.00",
            schedule=schedule("5000.00", "5000.00"),
        )
        assert on_time.status_code == 201, on_time.text
        await client.post(
            f"/api/v1/loans/{on_time.json()['id']}/repayments",
            json={"paid_on": today.isoformat(), "amount": "5000.00"},
            headers=posting(staff),
        )
        await apply(client, staff, await person(apps["monitoring"]))

        answer = await client.get(
            "/api/v1/internal/figures",
            params={"area": CITY, "level": "county", "year": today.year},
            headers=service_headers(tokens),
        )
    assert answer.status_code == 200, answer.text
    ours = {row["area_code"]: row for row in answer.json()["rows"]}[COUNTY]
    assert ours["figures"]["loans_overdue"] == 1
    assert ours["amounts"]["overdue_amount"] == "6000.00"
