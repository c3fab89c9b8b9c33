"""What a payment leaves behind, all in its one statement: the payment row, the link's new
total, a change-feed entry for each (so delta sync sees the link's new total), and an audit row
naming who paid in which request. A refused payment leaves none of them."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from services.common.auth.roles import Role
from services.common.tables import audit_log, changes
from tests.funds.support import (
    API,
    YEAR,
    Staff,
    advance,
    created,
    funded_link,
    link,
    pay,
    problem,
    propose,
)
from tests.support.identities import COUNTY, TokenFactory


async def link_feed(app: FastAPI, link_id: str) -> list[tuple[str, int]]:
    async with app.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(changes.c.operation, changes.c.version)
            .where(changes.c.entity == "fund_link", changes.c.entity_id == link_id)
            .order_by(changes.c.seq)
        )
        return [(row.operation, row.version) for row in rows]


async def test_a_payment_feeds_itself_and_its_link_and_is_audited(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        _, project, fund_link = await funded_link(client, staff, "1000.00")
        headers = {**staff.clerk, "X-Request-ID": "pay-audit-1"}
        payment = created(await pay(client, headers, fund_link, "250.00", payee="某合作社"))
    assert payment["link_id"] == fund_link["id"] and payment["project_id"] == project["id"]
    assert payment["area_code"] == fund_link["area_code"] and payment["year"] == YEAR
    assert payment["refunded"] == "0.00" and payment["version"] == 1
    assert payment["payee"] == "某合作社" and payment["refunds_id"] is None
    assert await link_feed(apps["funds"], fund_link["id"]) == [("create", 1), ("update", 2)]
    async with apps["funds"].state.database.sessionmaker() as session:
        audited = (
            await session.execute(select(audit_log).where(audit_log.c.entity_id == payment["id"]))
        ).one()
    assert audited.actor == f"user:test-{Role.COUNTY_ADMIN.value}-{COUNTY}"
    assert audited.actor_role == Role.COUNTY_ADMIN.value
    assert (audited.action, audited.entity) == ("create", "payment")
    assert audited.area_code == fund_link["area_code"]
    assert audited.request_id == "pay-audit-1"


async def payment_traces(app: FastAPI) -> tuple[int, int]:
    """How many payment entries the change feed and the audit log hold."""
    async with app.state.database.sessionmaker() as session:
        fed = await session.scalar(
            select(func.count()).select_from(changes).where(changes.c.entity == "payment")
        )
        audited = await session.scalar(
            select(func.count()).select_from(audit_log).where(audit_log.c.entity == "payment")
        )
    return int(fed or 0), int(audited or 0)


async def test_refused_payments_leave_no_trace(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        allocation, _, fund_link = await funded_link(client, staff, "100.00")
        before = await payment_traces(apps["funds"])
        over = await pay(client, staff.clerk, fund_link, "100.01")
        assert problem(over, 409, "payment_exceeds_linked_funds")["unpaid"] == "100.00"
        early = await pay(client, staff.clerk, fund_link, "1.00", paid_on=f"{YEAR}-03-01")
        problem(early, 422, "validation_failed", "body.paid_on")
        approved = await advance(
            client, staff, await propose(client, staff.officer), "review", "approve"
        )
        unstarted = created(await link(client, staff.clerk, allocation, approved, "50.00"))
        early_project = await pay(client, staff.clerk, unstarted, "1.00")
        problem(early_project, 409, "project_not_started")
        listed = await client.get(
            f"{API}/payments", params={"link_id": fund_link["id"]}, headers=staff.clerk
        )
        assert listed.json()["items"] == []
    assert await link_feed(apps["funds"], fund_link["id"]) == [("create", 1)]
    assert await link_feed(apps["funds"], unstarted["id"]) == [("create", 1)]
    assert await payment_traces(apps["funds"]) == before
