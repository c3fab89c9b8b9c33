"""Bulk loading of loans: rows checked like applications, loaded as applications waiting for
their eligibility check, which a batch re-check completes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from tests.employment.loans.support import application
from tests.employment.support import county_staff, person, posting, stored_figures
from tests.support.identities import TokenFactory


async def test_loans_load_as_waiting_applications_then_get_checked(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    employment = apps["employment"]
    employment.state.settings = employment.state.settings.model_copy(
        update={"eligibility_check_concurrency": 1}
    )
    staff = county_staff(tokens)
    eligible = await person(apps["monitoring"])
    ordinary = await person(apps["monitoring"], kind="ordinary")
    young = await person(apps["monitoring"], age=17)
    rows = [
        application(eligible, ref="bank-1"),
        application(ordinary),
        application(eligible, ref="again"),
        application(young),
        {**application(eligible), "amount": "60000.00"},
    ]
    for row in rows:
        row["term_months"] = 24
    body = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows).encode()
    async with client_for("employment") as client:
        loaded = await client.post(
            "/api/v1/bulk/loans",
            content=body,
            headers={
                **staff,
                "Content-Type": "application/x-ndjson",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
        assert loaded.status_code == 200, loaded.text
        report = loaded.json()
        assert (report["accepted"], report["rejected"]) == (2, 3)
        assert {(p["row"], p["rule"]) for p in report["problems"]} == {
            (3, "duplicate_borrower"),
            (4, "borrower_age"),
            (5, "loan_amount_over_cap"),
        }
        waiting = await client.get(
            "/api/v1/loans", params={"status": "pending_eligibility"}, headers=staff
        )
        assert len(waiting.json()["items"]) == 2
        assert await stored_figures(employment) == {}

        checked = await client.post(
            "/api/v1/loans/eligibility-checks", json={"limit": 50}, headers=posting(staff)
        )
        assert (checked.json()["accepted"], checked.json()["refused"]) == (1, 1)
    figures = await stored_figures(employment)
    assert figures["households_loan_outstanding@0"] == 1 and figures["loan_balance@0"] == 30000
