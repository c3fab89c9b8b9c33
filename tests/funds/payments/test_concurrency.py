"""Many payments at once against one link, together worth four times what it holds, through the
real app on a real pool, each in its own committed transaction: exactly the limit is paid, the
rest is refused with 409, and the figures agree to the fen. The same for links against an
allocation."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.funds.models import FundLink, Payment
from tests.funds.support import (
    API,
    Staff,
    allocate,
    figures_of,
    funded_link,
    link,
    pay,
    started_project,
)
from tests.support.identities import TokenFactory

REQUESTS = 40


@pytest.fixture
async def committing_funds(committing_apps: dict[str, FastAPI]) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=committing_apps["funds"])
    async with httpx.AsyncClient(transport=transport, base_url="http://funds.test") as client:
        yield client  # type: ignore[misc]


@pytest.mark.committing
async def test_simultaneous_payments_never_overspend_a_link(
    committing_funds: httpx.AsyncClient, committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    client = committing_funds
    _, project, fund_link = await funded_link(client, staff, "1000.00")
    answers = await asyncio.gather(
        *(pay(client, staff.clerk, fund_link, "100.00") for _ in range(REQUESTS))
    )
    outcomes = Counter((answer.status_code, answer.json().get("code")) for answer in answers)
    assert outcomes == {(201, None): 10, (409, "payment_exceeds_linked_funds"): REQUESTS - 10}

    app = committing_apps["funds"]
    async with app.state.database.sessionmaker() as session:
        paid = await session.scalar(select(FundLink.paid).where(FundLink.id == fund_link["id"]))
        rows = await session.execute(
            select(func.count(), func.sum(Payment.amount)).where(
                Payment.project_id == project["id"]
            )
        )
    assert paid == Decimal("1000.00")
    assert tuple(rows.one()) == (10, Decimal("1000.00"))  # refused payments left no row
    assert (await figures_of(app))["paid"] == Decimal("1000.00")
    read = (await client.get(f"{API}/fund-links/{fund_link['id']}", headers=staff.clerk)).json()
    assert read["unpaid"] == "0.00" and read["version"] == 11


@pytest.mark.committing
async def test_simultaneous_links_never_exceed_an_allocation(
    committing_funds: httpx.AsyncClient, committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    client = committing_funds
    allocation = await allocate(client, staff.clerk, amount="2500.00")
    projects = [await started_project(client, staff, name=f"项目{n}") for n in range(4)]
    answers = await asyncio.gather(
        *(link(client, staff.clerk, allocation, projects[n % 4], "250.00") for n in range(REQUESTS))
    )
    assert Counter(answer.status_code for answer in answers) == {201: 10, 409: REQUESTS - 10}
    read = (await client.get(f"{API}/allocations/{allocation['id']}", headers=staff.clerk)).json()
    assert read["linked"] == "2500.00" and read["available"] == "0.00"
    assert (await figures_of(committing_apps["funds"]))["linked"] == Decimal("2500.00")
