"""Corrections by reversal (冲销): a new row with negative effect naming the original; only what
is still unlinked can be reversed; the original is never edited but for its running totals."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fastapi import FastAPI
from httpx import AsyncClient

from tests.funds.support import (
    API,
    YEAR,
    Staff,
    allocate,
    created,
    figures_of,
    link,
    posting,
    problem,
    started_project,
)
from tests.support.history import history_of
from tests.support.identities import TokenFactory

REVERSAL = {
    "amount": "200000.00",
    "document_number": "财农〔2025〕15号",
    "issued_on": f"{YEAR}-03-01",
    "reason": "资金调整收回",
}


async def test_a_reversal_is_a_new_row_and_moves_the_originals_totals(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        original = await allocate(client, staff.clerk, level="provincial")
        answer = await client.post(
            f"{API}/allocations/{original['id']}/reversals",
            json=REVERSAL,
            headers=posting(staff.clerk),
        )
        reversal = created(answer)
        assert reversal["kind"] == "reversal" and reversal["reverses_id"] == original["id"]
        assert reversal["amount"] == "200000.00" and reversal["effect"] == "-200000.00"
        assert reversal["level"] == "provincial" and reversal["year"] == YEAR
        read = (await client.get(f"{API}/allocations/{original['id']}", headers=staff.clerk)).json()
        assert read["amount"] == "1000000.00"  # never edited
        assert read["reversed"] == "200000.00" and read["available"] == "800000.00"
        assert read["version"] == 2
        again = await client.post(
            f"{API}/allocations/{reversal['id']}/reversals",
            json=REVERSAL,
            headers=posting(staff.clerk),
        )
        problem(again, 409, "reversal_of_reversal")
    assert await figures_of(apps["funds"]) == {
        "allocated": Decimal("800000.00"),
        "allocated:provincial": Decimal("800000.00"),
    }
    assert await history_of(apps["funds"], original["id"]) == (["create", "update"], ["create"])
    assert await history_of(apps["funds"], reversal["id"]) == (["create"], ["create"])


async def test_only_what_is_unlinked_can_be_reversed(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        original = await allocate(client, staff.clerk, amount="300000.00")
        project = await started_project(client, staff)
        created(await link(client, staff.clerk, original, project, "250000.00"))
        too_much = await client.post(
            f"{API}/allocations/{original['id']}/reversals",
            json={**REVERSAL, "amount": "50000.01"},
            headers=posting(staff.clerk),
        )
        body = problem(too_much, 409, "reversal_exceeds_unlinked")
        assert body["unlinked"] == "50000.00"
        exact = await client.post(
            f"{API}/allocations/{original['id']}/reversals",
            json={**REVERSAL, "amount": "50000.00"},
            headers=posting(staff.clerk),
        )
        created(exact)
        read = (await client.get(f"{API}/allocations/{original['id']}", headers=staff.clerk)).json()
        assert read["available"] == "0.00" and read["linked"] == "250000.00"
    figures = await figures_of(apps["funds"])
    assert figures["allocated"] == Decimal("250000.00")


async def test_a_reversal_needs_a_reason_a_positive_amount_and_a_date_after_the_original(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        original = await allocate(client, staff.clerk)
        path = f"{API}/allocations/{original['id']}/reversals"
        for change, field in (
            ({"amount": "-1.00"}, "body.amount"),
            ({"reason": " "}, "body.reason"),
            ({"issued_on": f"{YEAR}-01-01"}, "body.issued_on"),
        ):
            answer = await client.post(
                path, json={**REVERSAL, **change}, headers=posting(staff.clerk)
            )
            problem(answer, 422, "validation_failed", field)
        read = (await client.get(f"{API}/allocations/{original['id']}", headers=staff.clerk)).json()
        assert read["reversed"] == "0.00" and read["version"] == 1
