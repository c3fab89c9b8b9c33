"""Payments (支付) against links: a voucher and a date, only to started projects, never more than
the link has unpaid; refunds (退款) are reversing payments; all exact to the fen."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.funds.support import (
    API,
    YEAR,
    Staff,
    advance,
    allocate,
    created,
    figures_of,
    funded_link,
    link,
    pay,
    posting,
    problem,
    propose,
    rule_of,
)
from tests.support.history import history_of
from tests.support.identities import TokenFactory


async def test_pay_up_to_the_fen_and_not_one_fen_more(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        _, project, fund_link = await funded_link(client, staff, "1000.00")
        amounts = ["0.10", "0.20", "333.33", "333.33", "333.04"]
        for amount in amounts:
            payment = created(await pay(client, staff.clerk, fund_link, amount, payee="某合作社"))
            assert payment["amount"] == amount and payment["kind"] == "original"
        over = await pay(client, staff.clerk, fund_link, "0.01")
        assert problem(over, 409, "payment_exceeds_linked_funds")["unpaid"] == "0.00"
        read = (await client.get(f"{API}/fund-links/{fund_link['id']}", headers=staff.clerk)).json()
        assert read["paid"] == "1000.00" and read["unpaid"] == "0.00"
        assert read["version"] == 1 + len(amounts)
        detail = (await client.get(f"{API}/projects/{project['id']}", headers=staff.clerk)).json()
        assert detail["paid"] == "1000.00"
        listed = await client.get(
            f"{API}/payments", params={"link_id": fund_link["id"], "limit": 10}, headers=staff.clerk
        )
        assert sum(Decimal(item["amount"]) for item in listed.json()["items"]) == Decimal("1000.00")
    assert (await figures_of(apps["funds"]))["paid"] == Decimal("1000.00")
    fed, audited = await history_of(apps["funds"], payment["id"])
    assert fed == ["create"] and audited == ["create"]


async def test_nothing_is_paid_to_a_project_that_has_not_started(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        allocation = await allocate(client, staff.clerk)
        approved = await advance(
            client, staff, await propose(client, staff.officer), "review", "approve"
        )
        fund_link = created(await link(client, staff.clerk, allocation, approved, "5000.00"))
        early = await pay(client, staff.clerk, fund_link, "100.00")
        assert problem(early, 409, "project_not_started")["status"] == "approved"
        started = await advance(client, staff, approved, "start")
        created(await pay(client, staff.clerk, fund_link, "100.00"))
        completed = await advance(client, staff, started, "complete")
        created(await pay(client, staff.clerk, fund_link, "100.00"))  # final payment (尾款)
        assert completed["paid"] == "100.00"
    assert (await figures_of(apps["funds"]))["paid"] == Decimal("200.00")


async def test_a_payment_to_a_cancelled_project_is_refused_and_a_refund_returns_to_the_allocation(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        allocation, project, fund_link = await funded_link(client, staff, "500.00")
        payment = created(await pay(client, staff.clerk, fund_link, "500.00"))
        cancelled = await advance(client, staff, project, "cancel")
        assert cancelled["status"] == "cancelled"
        refused = await pay(client, staff.clerk, fund_link, "1.00")
        problem(refused, 409, "project_cancelled")
        # Money coming back from a cancelled project cannot stay linked to it: the link is
        # reduced by as much, dated with the refund, and the allocation has it again.
        refund = {"amount": "200.00", "voucher_number": "收-9", "refunded_on": f"{YEAR}-06-01"}
        created(
            await client.post(
                f"{API}/payments/{payment['id']}/refunds",
                json={**refund, "reason": "项目取消退回"},
                headers=posting(staff.clerk),
            )
        )
        read = (await client.get(f"{API}/fund-links/{fund_link['id']}", headers=staff.clerk)).json()
        assert (read["paid"], read["reversed"], read["unpaid"]) == ("300.00", "200.00", "0.00")
        source = (
            await client.get(f"{API}/allocations/{allocation['id']}", headers=staff.clerk)
        ).json()
        assert Decimal(source["available"]) == Decimal(allocation["amount"]) - Decimal("300.00")
    figures = await figures_of(apps["funds"])
    assert (figures["paid"], figures["linked"]) == (Decimal("300.00"), Decimal("300.00"))


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"amount": "-100.00"}, "body.amount", "greater_than_equal"),
        ({"amount": "0.00"}, "body.amount", "greater_than"),
        ({"amount": "1.234"}, "body.amount", "decimal_max_places"),
        ({"amount": 12.5}, "body.amount", "value_error"),
        ({"voucher_number": ""}, "body.voucher_number", "string_too_short"),
        ({"voucher_number": None}, "body.voucher_number", "string_type"),
        ({"paid_on": "2999-12-31"}, "body.paid_on", "date_in_future"),
        ({"paid_on": f"{YEAR}-03-01"}, "body.paid_on", "before_link"),
        ({"paid_on": "not a date"}, "body.paid_on", "date_from_datetime_parsing"),
    ],
)
async def test_bad_payments_are_refused_and_write_nothing(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    change: dict[str, object],
    field: str,
    rule: str,
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        _, _, fund_link = await funded_link(client, staff, "1000.00")
        answer = await pay(client, staff.clerk, fund_link, **{"amount": "100.00", **change})
        problem(answer, 422, "validation_failed", field)
        assert rule_of(answer, field) == rule
        read = (await client.get(f"{API}/fund-links/{fund_link['id']}", headers=staff.clerk)).json()
        assert read["paid"] == "0.00" and read["version"] == 1
    assert "paid" not in await figures_of(apps["funds"])


async def test_refunds_are_reversing_payments_within_the_original(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        _, _, fund_link = await funded_link(client, staff, "1000.00")
        payment = created(await pay(client, staff.clerk, fund_link, "800.00"))
        path = f"{API}/payments/{payment['id']}/refunds"
        refund = {
            "amount": "300.00",
            "voucher_number": "收-0001",
            "refunded_on": f"{YEAR}-06-01",
            "reason": "多付退回",
        }
        reversal = created(await client.post(path, json=refund, headers=posting(staff.clerk)))
        assert reversal["kind"] == "reversal" and reversal["refunds_id"] == payment["id"]
        assert reversal["effect"] == "-300.00" and reversal["paid_on"] == f"{YEAR}-06-01"
        too_much = await client.post(
            path, json={**refund, "amount": "500.01"}, headers=posting(staff.clerk)
        )
        assert problem(too_much, 409, "refund_exceeds_payment")["refundable"] == "500.00"
        early = await client.post(
            path, json={**refund, "refunded_on": f"{YEAR}-04-01"}, headers=posting(staff.clerk)
        )
        assert rule_of(early, "body.refunded_on") == "before_original"
        nested = await client.post(
            f"{API}/payments/{reversal['id']}/refunds", json=refund, headers=posting(staff.clerk)
        )
        problem(nested, 409, "reversal_of_reversal")
        original = (await client.get(f"{API}/payments/{payment['id']}", headers=staff.clerk)).json()
        assert original["amount"] == "800.00" and original["refunded"] == "300.00"
        read = (await client.get(f"{API}/fund-links/{fund_link['id']}", headers=staff.clerk)).json()
        assert read["paid"] == "500.00" and read["unpaid"] == "500.00"
        # What the refund freed is there from its date on (tests/funds/test_dated_limits.py).
        created(await pay(client, staff.clerk, fund_link, "500.00", paid_on=f"{YEAR}-06-01"))
    assert (await figures_of(apps["funds"]))["paid"] == Decimal("1000.00")
    assert await history_of(apps["funds"], payment["id"]) == (["create", "update"], ["create"])
