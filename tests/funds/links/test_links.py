"""Linking funds to projects (资金对接): same county, an approved or started project, never more
than is left of the allocation; reductions (调减) are reversals of what is still unpaid."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

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
    link,
    pay,
    posting,
    problem,
    propose,
    rule_of,
    started_project,
)
from tests.support.history import history_of
from tests.support.identities import OTHER_COUNTY, TokenFactory


async def test_linking_moves_the_allocations_total_and_the_figures(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        allocation = await allocate(client, staff.clerk, amount="300000.00")
        industry = await started_project(client, staff)
        roads = await advance(
            client,
            staff,
            await propose(client, staff.officer, category="infrastructure"),
            "review",
            "approve",
        )
        first = created(await link(client, staff.clerk, allocation, industry, "180000.00"))
        assert first["year"] == YEAR and first["category"] == "industry"
        assert first["area_code"] == industry["area_code"] and first["unpaid"] == "180000.00"
        created(await link(client, staff.approver, allocation, roads, "120000.00"))
        read = (
            await client.get(f"{API}/allocations/{allocation['id']}", headers=staff.clerk)
        ).json()
        assert read["linked"] == "300000.00" and read["available"] == "0.00"
        over = await link(client, staff.clerk, allocation, roads, "0.01")
        body = problem(over, 409, "link_exceeds_allocation")
        assert body["available"] == "0.00"
        project = (await client.get(f"{API}/projects/{industry['id']}", headers=staff.clerk)).json()
        assert project["linked"] == "180000.00"
        listed = await client.get(
            f"{API}/fund-links", params={"project_id": industry["id"]}, headers=staff.clerk
        )
        assert [item["id"] for item in listed.json()["items"]] == [first["id"]]
    assert await figures_of(apps["funds"]) == {
        "allocated": Decimal("300000.00"),
        "allocated:central": Decimal("300000.00"),
        "linked": Decimal("300000.00"),
        "linked:industry": Decimal("180000.00"),
        "linked:infrastructure": Decimal("120000.00"),
        "projects:started": Decimal(1),
        "projects:approved": Decimal(1),
    }
    assert await history_of(apps["funds"], allocation["id"]) == (
        ["create", "update", "update"],
        ["create"],
    )
    assert await history_of(apps["funds"], first["id"]) == (["create"], ["create"])


async def test_links_only_to_decided_projects_of_the_allocations_county(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        allocation = await allocate(client, staff.clerk)
        proposed = await propose(client, staff.officer)
        problem(
            await link(client, staff.clerk, allocation, proposed, "1.00"),
            409,
            "project_not_approved",
        )
        theirs = await allocate(client, staff.admin, area_code=OTHER_COUNTY)
        started = await started_project(client, staff)
        other_county = await link(client, staff.admin, theirs, started, "1.00")
        problem(other_county, 422, "validation_failed", "body.project_id")
        assert rule_of(other_county, "body.project_id") == "other_county"
        early = await link(
            client, staff.clerk, allocation, started, "1.00", linked_on=f"{YEAR}-01-01"
        )
        assert rule_of(early, "body.linked_on") == "before_allocation"
        for amount, rule in (("-1.00", "greater_than_equal"), ("0.001", "decimal_max_places")):
            bad = await link(client, staff.clerk, allocation, started, amount)
            assert rule_of(bad, "body.amount") == rule
        problem(
            await link(client, staff.officer, allocation, started, "1.00"), 403, "role_not_allowed"
        )
        read = (
            await client.get(f"{API}/allocations/{allocation['id']}", headers=staff.clerk)
        ).json()
        assert read["linked"] == "0.00" and read["version"] == 1


async def test_a_reduction_returns_unpaid_funds_to_the_allocation(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        allocation = await allocate(client, staff.clerk, amount="100000.00")
        project = await started_project(client, staff)
        fund_link = created(await link(client, staff.clerk, allocation, project, "100000.00"))
        assert (await pay(client, staff.clerk, fund_link, "30000.00")).status_code == 201
        path = f"{API}/fund-links/{fund_link['id']}/reversals"
        reduction = {"amount": "70000.01", "reason": "项目结余调减", "reversed_on": f"{YEAR}-05-01"}
        too_much = await client.post(path, json=reduction, headers=posting(staff.clerk))
        assert problem(too_much, 409, "reversal_exceeds_unpaid_link")["unpaid"] == "70000.00"
        reversal = created(
            await client.post(
                path, json={**reduction, "amount": "20000.00"}, headers=posting(staff.clerk)
            )
        )
        assert reversal["kind"] == "reversal" and reversal["effect"] == "-20000.00"
        assert reversal["reverses_id"] == fund_link["id"]
        again = await client.post(
            f"{API}/fund-links/{reversal['id']}/reversals",
            json=reduction,
            headers=posting(staff.clerk),
        )
        problem(again, 409, "reversal_of_reversal")
        read = (await client.get(f"{API}/fund-links/{fund_link['id']}", headers=staff.clerk)).json()
        assert (read["amount"], read["reversed"], read["paid"], read["unpaid"]) == (
            "100000.00",
            "20000.00",
            "30000.00",
            "50000.00",
        )
        allocation = (
            await client.get(f"{API}/allocations/{allocation['id']}", headers=staff.clerk)
        ).json()
        assert allocation["linked"] == "80000.00" and allocation["available"] == "20000.00"
        pay_reversal = await pay(client, staff.clerk, reversal, "1.00")
        assert rule_of(pay_reversal, "body.link_id") == "not_an_original"
    figures = await figures_of(apps["funds"])
    assert figures["linked"] == figures["linked:industry"] == Decimal("80000.00")
    assert figures["paid"] == Decimal("30000.00")
