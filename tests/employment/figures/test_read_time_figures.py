"""The figures counted at read time follow the date with no write: overdue loans as installments
and maturities pass, jobs open since an earlier year carried into every later year."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import text

from services.common.business_time import business_today
from services.employment.figures import repository
from tests.employment.loans.support import apply
from tests.employment.support import (
    add_spell,
    county_staff,
    person,
    posting,
    register_labourer,
)
from tests.support.identities import CITY, COUNTY, TokenFactory

COUNTY_DEPTH = 6


async def overdue_on(employment: FastAPI, day: date) -> tuple[int, Decimal]:
    """(loans behind schedule, overdue principal) of the county as of `day`."""
    async with employment.state.database.sessionmaker() as session:
        rows = await repository.overdue_loans(session, CITY, COUNTY_DEPTH, day)
    ours = {code: (count, amount) for code, count, amount in rows}
    return ours.get(COUNTY, (0, Decimal(0)))


async def test_overdue_loans_follow_the_date(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    issued = date(business_today().year - 4, 1, 10)
    first_due, maturity = date(issued.year + 1, 1, 10), date(issued.year + 2, 1, 10)

    def two_installments(first: str, second: str) -> list[dict[str, str]]:
        return [
            {"due_date": first_due.isoformat(), "principal": first},
            {"due_date": maturity.isoformat(), "principal": second},
        ]

    async def lend(repaid: str | None = None, issue_date: date = issued, **terms: object) -> None:
        who = await person(apps["monitoring"])
        loan = await apply(client, staff, who, issue_date=issue_date.isoformat(), **terms)
        assert loan.status_code == 201, loan.text
        if repaid:
            paid = await client.post(
                f"/api/v1/loans/{loan.json()['id']}/repayments",
                json={"paid_on": business_today().isoformat(), "amount": repaid},
                headers=posting(staff),
            )
            assert paid.status_code == 200, paid.text

    async with client_for("employment") as client:
        # 30,000 in two installments, 4,000 repaid: behind on the first, then on both.
        await lend("4000.00", term_months=24, schedule=two_installments("10000.00", "20000.00"))
        # 10,000 in two installments, the first repaid in full: behind only after maturity.
        await lend(
            "5000.00",
            amount="10000.00",
            term_months=24,
            schedule=two_installments("5000.00", "5000.00"),
        )
        # All principal at maturity, 1,000 repaid.
        await lend("1000.00", amount="20000.00", term_months=24)
        # Repaid in full (closed): never behind.
        await lend("8000.00", amount="8000.00", term_months=24)
        # Issued today: nothing due on any day looked at.
        await lend(issue_date=business_today())

    # Due on a day means unpaid after that day.
    assert await overdue_on(apps["employment"], issued) == (0, 0)
    assert await overdue_on(apps["employment"], first_due) == (0, 0)
    assert await overdue_on(apps["employment"], first_due + timedelta(days=1)) == (1, 6000)
    assert await overdue_on(apps["employment"], maturity) == (1, 6000)
    after_maturity = maturity + timedelta(days=1)
    assert await overdue_on(apps["employment"], after_maturity) == (3, 26000 + 5000 + 19000)
    assert await overdue_on(apps["employment"], business_today()) == (3, 50000)


async def test_open_jobs_are_carried_into_every_later_year(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    year = business_today().year
    async with client_for("employment") as client:
        carried = await register_labourer(client, staff, await person(apps["monitoring"]))
        await add_spell(
            client, staff, carried["id"], place_class="out_of_province", start_date=f"{year}-03-01"
        )
        # Two open jobs: counted once, at the farther place.
        both = await register_labourer(client, staff, await person(apps["monitoring"]))
        await add_spell(client, staff, both["id"], start_date=f"{year}-02-01")
        await add_spell(
            client, staff, both["id"], place_class="in_province", start_date=f"{year}-04-01"
        )
        # Ended next year: a stored row for next year, no carried job after it.
        ended = await register_labourer(client, staff, await person(apps["monitoring"]))
        await add_spell(
            client, staff, ended["id"], start_date=f"{year}-01-01", end_date=f"{year + 1}-03-31"
        )

    async def carried_in(later: int) -> dict[str, int]:
        async with apps["employment"].state.database.sessionmaker() as session:
            rows = await repository.carried_open_jobs(session, CITY, COUNTY_DEPTH, later)
        return {place: count for code, place, count in rows if code == COUNTY}

    # This year every job has its stored row: nothing is carried.
    assert await carried_in(year) == {}
    # New Year with no write: the open jobs count in each later year.
    assert await carried_in(year + 1) == {"out_of_province": 1, "in_province": 1}
    assert await carried_in(year + 5) == {"out_of_province": 1, "in_province": 1}


# The carried open jobs counted from the rows, as they were read before being stored.
FROM_THE_ROWS = text(
    """
    SELECT rpad(left(area_code, 6), 12, '0'), place_class, count(*) FROM (
        SELECT DISTINCT ON (s.labourer_id) s.area_code, s.place_class
        FROM employment_spells AS s
        WHERE s.end_date IS NULL AND s.start_date < make_date(:year, 1, 1)
          AND NOT EXISTS (SELECT FROM labourer_years AS y
                          WHERE y.labourer_id = s.labourer_id AND y.year = :year)
        ORDER BY s.labourer_id, CASE s.place_class WHEN 'out_of_province' THEN 0
                                                   WHEN 'in_province' THEN 1 ELSE 2 END
    ) AS carried GROUP BY 1, 2
    """
)


async def test_stored_carried_jobs_equal_the_rows_through_writes(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    year = business_today().year
    employment = apps["employment"]

    async def agree() -> None:
        async with employment.state.database.sessionmaker() as session:
            for later in range(year - 2, year + 3):
                stored = await repository.carried_open_jobs(session, CITY, COUNTY_DEPTH, later)
                rows = await session.execute(FROM_THE_ROWS, {"year": later})
                assert sorted(stored) == sorted(tuple(row) for row in rows.all()), later

    async with client_for("employment") as client:
        first = await register_labourer(client, staff, await person(apps["monitoring"]))
        second = await register_labourer(client, staff, await person(apps["monitoring"]))
        opened = await add_spell(client, staff, first["id"], start_date=f"{year - 2}-05-01")
        await agree()
        # A second open job, farther: the place moves.
        await add_spell(
            client, staff, first["id"], place_class="in_province", start_date=f"{year - 1}-02-01"
        )
        await agree()
        # A job ending next year moves the last year on record.
        await add_spell(
            client,
            staff,
            first["id"],
            start_date=f"{year}-01-01",
            end_date=f"{year + 1}-06-30",
        )
        await agree()
        await add_spell(
            client, staff, second["id"], place_class="out_of_province", start_date=f"{year}-03-01"
        )
        closed = await client.patch(
            f"/api/v1/spells/{opened.json()['id']}",
            json={"end_date": f"{year - 1}-12-31"},
            headers={**staff, "If-Match": "1"},
        )
        assert closed.status_code == 200, closed.text
        await agree()
        third = await register_labourer(client, staff, await person(apps["monitoring"]))
        job = {
            "employer": "浙江某电子厂",
            "place_class": "out_of_province",
            "kind": "enterprise",
            "monthly_wage": "4200.00",
        }
        rows = [
            {**job, "labourer_id": third["id"], "start_date": f"{year - 3}-07-01"},
            {**job, "labourer_id": second["id"], "start_date": f"{year - 1}-07-01"},
        ]
        body = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n"
        loaded = await client.post(
            "/api/v1/bulk/employment-spells",
            content=body.encode(),
            headers={
                **staff,
                "Idempotency-Key": "carried-1",
                "Content-Type": "application/x-ndjson",
            },
        )
        assert loaded.status_code == 200, loaded.text
        await agree()
