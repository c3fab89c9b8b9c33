"""Repayments, extensions, renewals and write-offs are recorded as such; overdue amount and
days come from the schedule; balance figures move with each event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from services.common.business_time import business_today
from tests.employment.loans.support import apply
from tests.employment.support import county_staff, person, posting, problem_rule, stored_figures
from tests.support.identities import OTHER_COUNTY, TokenFactory


async def test_repayments_and_overdue_amounts(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    today = business_today()
    issued = date(today.year - 2, today.month, 1)
    first_due = issued + timedelta(days=365)
    schedule = [
        {"due_date": first_due.isoformat(), "principal": "10000.00"},
        {"due_date": date(issued.year + 3, issued.month, 1).isoformat(), "principal": "20000.00"},
    ]
    who = await person(apps["monitoring"])
    async with client_for("employment") as client:
        created = await apply(client, staff, who, issue_date=issued.isoformat(), schedule=schedule)
        assert created.status_code == 201, created.text
        loan = created.json()
        assert loan["status"] == "overdue"
        assert loan["overdue_amount"] == "10000.00"
        assert loan["overdue_days"] == (today - first_due).days
        path = f"/api/v1/loans/{loan['id']}"
        too_much = await client.post(
            f"{path}/repayments",
            json={"paid_on": today.isoformat(), "amount": "30000.01"},
            headers=posting(staff),
        )
        assert problem_rule(too_much) == "repayment_over_balance"
        part = await client.post(
            f"{path}/repayments",
            json={"paid_on": today.isoformat(), "amount": "4000.00"},
            headers=posting(staff),
        )
        assert part.status_code == 200, part.text
        assert (part.json()["status"], part.json()["overdue_amount"]) == ("overdue", "6000.00")
        listed = await client.get("/api/v1/loans", params={"status": "overdue"}, headers=staff)
        assert [item["id"] for item in listed.json()["items"]] == [loan["id"]]
        rest = await client.post(
            f"{path}/repayments",
            json={"paid_on": today.isoformat(), "amount": "26000.00"},
            headers=posting(staff),
        )
        body = rest.json()
        assert (body["status"], body["balance"], body["closed_on"]) == (
            "repaid",
            "0.00",
            today.isoformat(),
        )
        assert [event["kind"] for event in body["events"]] == ["issued", "repayment", "repayment"]
        closed = await client.post(
            f"{path}/repayments",
            json={"paid_on": today.isoformat(), "amount": "1.00"},
            headers=posting(staff),
        )
        assert closed.status_code == 409 and closed.json()["code"] == "loan_not_outstanding"
    figures = await stored_figures(apps["employment"])
    assert "loan_balance@0" not in figures and "households_loan_outstanding@0" not in figures
    assert figures[f"amount_lent@{issued.year}"] == 30000


async def test_extension_renewal_and_write_off(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    today = business_today()
    issued = date(today.year - 1, 1, 15)
    who = await person(apps["monitoring"])
    async with client_for("employment") as client:
        loan = (
            await apply(client, staff, who, issue_date=issued.isoformat(), term_months=12)
        ).json()
        assert loan["status"] == "overdue" and loan["maturity_date"] == f"{issued.year + 1}-01-15"
        path = f"/api/v1/loans/{loan['id']}"
        too_far = await client.post(
            f"{path}/extension",
            json={"maturity_date": f"{issued.year + 2}-01-16", "reason": "因病"},
            headers=posting(staff),
        )
        assert problem_rule(too_far) == "extension_too_long"
        extended = await client.post(
            f"{path}/extension",
            json={"maturity_date": f"{issued.year + 2}-01-15", "reason": "因病展期"},
            headers=posting(staff),
        )
        assert extended.status_code == 200, extended.text
        body = extended.json()
        assert body["status"] == "outstanding" and body["overdue_amount"] == "0.00"
        assert body["schedule"][-1]["due_date"] == f"{issued.year + 2}-01-15"
        twice = await client.post(
            f"{path}/extension",
            json={"maturity_date": f"{issued.year + 2}-01-10", "reason": "再次"},
            headers=posting(staff),
        )
        assert twice.status_code == 409 and twice.json()["code"] == "loan_already_extended"

        renewed = await client.post(
            f"{path}/renewal",
            json={"issue_date": today.isoformat(), "term_months": 36, "amount": "40000.00"},
            headers=posting(staff),
        )
        assert renewed.status_code == 201, renewed.text
        new = renewed.json()
        assert new["renewed_from_id"] == loan["id"] and new["status"] == "outstanding"
        old = (await client.get(path, headers=staff)).json()
        assert old["status"] == "repaid" and old["events"][-1]["kind"] == "renewal"

        written = await client.post(
            f"/api/v1/loans/{new['id']}/write-off",
            json={"written_off_on": today.isoformat(), "reason": "借款人身故"},
            headers=posting(staff),
        )
        assert written.status_code == 200 and written.json()["status"] == "written_off"
    figures = await stored_figures(apps["employment"])
    assert figures[f"households_new_loan@{issued.year}"] == 1
    assert figures[f"loans_renewed@{today.year}"] == 1
    assert figures[f"amount_renewed@{today.year}"] == 40000
    assert figures[f"amount_written_off@{today.year}"] == 40000
    assert "loan_balance@0" not in figures


async def test_every_loan_route_hides_other_counties_loans(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    elsewhere = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
    today = business_today().isoformat()
    who = await person(apps["monitoring"])
    async with client_for("employment") as client:
        loan = (await apply(client, staff, who)).json()
        path = f"/api/v1/loans/{loan['id']}"
        assert (await client.get(path, headers=elsewhere)).status_code == 404
        for suffix, body in (
            ("/repayments", {"paid_on": today, "amount": "1.00"}),
            ("/extension", {"maturity_date": "2040-01-01", "reason": "x"}),
            ("/renewal", {"issue_date": today, "term_months": 12}),
            ("/write-off", {"written_off_on": today, "reason": "x"}),
            ("/eligibility-check", None),
        ):
            answer = await client.post(path + suffix, json=body, headers=posting(elsewhere))
            assert answer.status_code == 404, (suffix, answer.text)
        listed = await client.get("/api/v1/loans", headers=elsewhere)
        assert listed.json()["items"] == []
        viewer = await client.get(path, headers=tokens.headers(Role.CITY_VIEWER, "411400000000"))
        assert viewer.status_code == 200 and viewer.json()["borrower"].count("*") == 8
