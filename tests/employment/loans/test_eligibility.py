"""Loan applications are checked with the monitoring service: exited-poverty or monitored
households, borrowers aged 18 to 65, one outstanding loan per household, amount and term caps;
a refused application writes nothing."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from services.common.auth.roles import Role
from services.employment.models import Loan
from tests.employment.loans.support import apply
from tests.employment.support import (
    add_person,
    county_staff,
    person,
    problem_rule,
    stored_figures,
)
from tests.support.identities import OTHER_VILLAGE, TOWNSHIP, TokenFactory


async def loan_count(app: FastAPI) -> int:
    async with app.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Loan)) or 0)


async def test_exited_poverty_and_monitored_households_may_borrow(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    exited = await person(apps["monitoring"], kind="exited_poverty")
    monitored = await person(apps["monitoring"], kind="ordinary", status="monitored")
    async with client_for("employment") as client:
        first = await apply(client, county_staff(tokens), exited)
        assert first.status_code == 201, first.text
        loan = first.json()
        assert loan["status"] == "outstanding" and loan["household_id"] == str(exited.household_id)
        assert loan["amount"] == "30000.00" and loan["balance"] == "30000.00"
        assert loan["annual_rate"] == "3.45" and exited.number not in first.text
        assert [i["principal"] for i in loan["schedule"]] == ["30000.00"]
        assert loan["events"][0]["kind"] == "issued"
        second = await apply(
            client, county_staff(tokens, Role.COUNTY_APPROVER), monitored, amount="50000.00"
        )
        assert second.status_code == 201, second.text
    figures = await stored_figures(apps["employment"])
    year = loan["issue_date"][:4]
    assert figures[f"households_new_loan@{year}"] == 2
    assert figures[f"amount_lent@{year}"] == 80000
    assert figures["households_loan_outstanding@0"] == 2
    assert figures["loan_balance@0"] == 80000


async def test_ineligible_borrowers_are_refused_and_nothing_is_written(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    monitoring = apps["monitoring"]
    staff = county_staff(tokens)
    ordinary = await person(monitoring, kind="ordinary")
    eliminated = await person(monitoring, kind="ordinary", status="eliminated")
    young = await person(monitoring, age=17)
    old = await person(monitoring, age=66)
    elsewhere = await person(monitoring, village=OTHER_VILLAGE)
    adult = await person(monitoring, age=65)
    async with client_for("employment") as client:
        for who, rule in (
            (ordinary, "borrower_not_eligible"),
            (eliminated, "borrower_not_eligible"),
            (young, "borrower_age"),
            (old, "borrower_age"),
            (elsewhere, "borrower_not_found"),
        ):
            answer = await apply(client, staff, who)
            assert answer.status_code == 422, (rule, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert problem_rule(answer) == rule
            assert answer.json()["fields"][0]["field"] == "body.person_number"
        for extra, rule, field in (
            ({"amount": "50000.01"}, "loan_amount_over_cap", "body.amount"),
            ({"term_months": 37}, "loan_term_over_cap", "body.term_months"),
            ({"interest_subsidy_rate": "4"}, "interest_subsidy_above_rate", None),
        ):
            answer = await apply(client, staff, adult, **extra)
            assert answer.status_code == 422 and problem_rule(answer) == rule, answer.text
            assert field is None or answer.json()["fields"][0]["field"] == field
        reviewer = await apply(client, tokens.headers(Role.TOWNSHIP_REVIEWER, TOWNSHIP), adult)
        assert reviewer.status_code == 403
        assert await loan_count(apps["employment"]) == 0
        assert await stored_figures(apps["employment"]) == {}
        assert (await apply(client, staff, adult, amount="50000.00")).status_code == 201


async def test_one_outstanding_loan_per_household(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    first = await person(apps["monitoring"])
    spouse = await add_person(apps["monitoring"], first.household_id, age=40)
    async with client_for("employment") as client:
        assert (await apply(client, staff, first)).status_code == 201
        second = await apply(client, staff, spouse, amount="10000.00")
        assert second.status_code == 409, second.text
        assert second.json()["code"] == "household_has_outstanding_loan"
        again = await apply(client, staff, first)
        assert again.status_code == 409
    assert await loan_count(apps["employment"]) == 1


async def test_a_schedule_is_checked(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    who = await person(apps["monitoring"])
    schedule = [
        {"due_date": "2026-06-30", "principal": "10000.00"},
        {"due_date": "2027-06-30", "principal": "10000.00"},
    ]
    async with client_for("employment") as client:
        short = await apply(
            client, staff, who, issue_date="2025-06-30", term_months=24, schedule=schedule
        )
        assert problem_rule(short) == "schedule_total"
        wrong_end = await apply(
            client,
            staff,
            who,
            issue_date="2025-06-30",
            term_months=36,
            amount="20000.00",
            schedule=schedule,
        )
        assert problem_rule(wrong_end) == "schedule_maturity"
        ok = await apply(
            client,
            staff,
            who,
            issue_date="2025-06-30",
            term_months=24,
            amount="20000.00",
            schedule=schedule,
        )
        assert ok.status_code == 201, ok.text
        assert ok.json()["maturity_date"] == "2027-06-30"
