"""The limits hold as of every day, not only today (services/funds/dated_limits/): an entry
dated before the link reduction or refund that freed the money it needs is refused, with the
first day it would break, and writes nothing; dated on or after the freeing, it goes through.
Each refusal would otherwise make the progress report for a day in between show more linked
than allocated, or more paid than linked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests.funds.support import (
    API,
    YEAR,
    Staff,
    allocate,
    created,
    figures_of,
    link,
    pay,
    posting,
    problem,
    started_project,
)
from tests.support.identities import TokenFactory

FEB, MAR, APR, JUN = (f"{YEAR}-{month}-01" for month in ("02", "03", "04", "06"))


async def reduce(
    client: AsyncClient, staff: Staff, fund_link: dict[str, Any], amount: str, on: str
) -> Response:
    body = {"amount": amount, "reason": "项目结余调减", "reversed_on": on}
    path = f"{API}/fund-links/{fund_link['id']}/reversals"
    return await client.post(path, json=body, headers=posting(staff.clerk))


async def refund(
    client: AsyncClient, staff: Staff, payment: dict[str, Any], amount: str, on: str
) -> Response:
    body = {"amount": amount, "voucher_number": "收-1", "refunded_on": on, "reason": "退回"}
    path = f"{API}/payments/{payment['id']}/refunds"
    return await client.post(path, json=body, headers=posting(staff.clerk))


async def linked_in_full(
    client: AsyncClient, staff: Staff
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(allocation of 1,000 issued 10 January, started project, link of all of it on 1 February)."""
    allocation = await allocate(client, staff.clerk, amount="1000.00", issued_on=f"{YEAR}-01-10")
    project = await started_project(client, staff)
    fund_link = created(
        await link(client, staff.clerk, allocation, project, "1000.00", linked_on=FEB)
    )
    return allocation, project, fund_link


def refused_on(answer: Response, code: str, day: str, shortfall: str) -> None:
    body = problem(answer, 409, code)
    assert (body["day"], body["shortfall"]) == (day, shortfall), body


async def test_allocation_reversal_and_new_link_wait_for_the_reduction_that_freed_the_money(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        allocation, project, first = await linked_in_full(client, staff)
        created(await reduce(client, staff, first, "400.00", JUN))
        before = await figures_of(apps["funds"])
        # The 400 came back to the allocation on 1 June: not there on 1 March.
        path = f"{API}/allocations/{allocation['id']}/reversals"
        taking = {"amount": "400.00", "document_number": "收回1号", "reason": "收回"}
        early = await client.post(
            path, json={**taking, "issued_on": MAR}, headers=posting(staff.clerk)
        )
        refused_on(early, "allocation_overdrawn_on_day", MAR, "400.00")
        linking = await link(client, staff.clerk, allocation, project, "300.00", linked_on=APR)
        refused_on(linking, "allocation_overdrawn_on_day", APR, "300.00")
        assert await figures_of(apps["funds"]) == before  # nothing written
        created(await link(client, staff.clerk, allocation, project, "300.00", linked_on=JUN))
        created(
            await client.post(
                path,
                json={**taking, "amount": "100.00", "issued_on": JUN},
                headers=posting(staff.clerk),
            )
        )
        read = await client.get(f"{API}/allocations/{allocation['id']}", headers=staff.clerk)
        assert read.json()["available"] == "0.00"


async def test_payment_and_link_reduction_wait_for_the_refund_that_freed_the_money(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        _, _, fund_link = await linked_in_full(client, staff)
        payment = created(await pay(client, staff.clerk, fund_link, "1000.00", paid_on=MAR))
        created(await refund(client, staff, payment, "600.00", JUN))
        before = await figures_of(apps["funds"])
        # The 600 was unpaid again from 1 June: a voucher of 1 April cannot have used it.
        early = await pay(client, staff.clerk, fund_link, "500.00", paid_on=APR)
        refused_on(early, "link_overdrawn_on_day", APR, "500.00")
        reduction = await reduce(client, staff, fund_link, "200.00", APR)
        refused_on(reduction, "link_overdrawn_on_day", APR, "200.00")
        assert await figures_of(apps["funds"]) == before  # nothing written
        created(await pay(client, staff.clerk, fund_link, "500.00", paid_on=JUN))
        created(await reduce(client, staff, fund_link, "100.00", JUN))
        read = await client.get(f"{API}/fund-links/{fund_link['id']}", headers=staff.clerk)
        assert (read.json()["paid"], read.json()["unpaid"]) == ("900.00", "0.00")
