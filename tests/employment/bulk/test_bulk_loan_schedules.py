"""Bulk loans over several batches: each loaded loan gets its schedule (all principal at
maturity) and one change-feed row, in file order; a refused row gets neither; autovacuum is
held off the filled tables until the load's transaction ends."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select, text

from services.common.tables import changes
from services.employment.bulk import loading
from services.employment.models import Loan, LoanInstallment
from tests.employment.loans.support import application
from tests.employment.support import county_staff, person
from tests.support.identities import TokenFactory


async def line_by_line(rows: list[dict[str, Any]]) -> AsyncIterator[bytes]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False).encode() + b"\n"


async def test_each_loaded_loan_has_its_schedule_and_change(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(loading, "BATCH_ROWS", 2)
    people = [await person(apps["monitoring"]) for _ in range(3)]
    issued = "2026-01-31"
    rows = [
        application(people[0], amount="10000.00", term_months=1, issue_date=issued),
        application(people[1], amount="20000.50", term_months=13, issue_date=issued),
        application(people[0], issue_date=issued),
        application(people[2], amount="5000", term_months=12, issue_date=issued),
    ]
    async with client_for("employment") as client:
        loaded = await client.post(
            "/api/v1/bulk/loans",
            content=line_by_line(rows),
            headers={
                **county_staff(tokens),
                "Content-Type": "application/x-ndjson",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
    assert loaded.status_code == 200, loaded.text
    assert (loaded.json()["accepted"], loaded.json()["rejected"]) == (3, 1)
    async with apps["employment"].state.database.sessionmaker() as session:
        loans = {loan.id: loan for loan in (await session.scalars(select(Loan))).all()}
        schedules = (await session.execute(select(LoanInstallment))).scalars().all()
        fed = (
            await session.execute(
                select(changes.c.entity_id, changes.c.operation, changes.c.area_code)
                .where(changes.c.entity == "loan")
                .order_by(changes.c.seq)
            )
        ).all()
        # The test's outer transaction is still open, and so is the load's lock.
        held = await session.scalars(
            text(
                "SELECT relation::regclass::text FROM pg_locks WHERE pid = pg_backend_pid() "
                "AND mode = 'ShareUpdateExclusiveLock' ORDER BY 1"
            )
        )
        assert held.all() == ["loan_installments", "loans"]
    assert {(s.loan_id, s.seq, s.due_date, s.principal) for s in schedules} == {
        (loan.id, 1, loan.maturity_date, loan.amount) for loan in loans.values()
    }
    by_amount = {loan.amount: loan for loan in loans.values()}
    assert by_amount[Decimal("10000.00")].maturity_date == date(2026, 2, 28)
    assert by_amount[Decimal("20000.50")].maturity_date == date(2027, 2, 28)
    in_file_order = [by_amount[Decimal(amount)] for amount in ("10000.00", "20000.50", "5000")]
    assert fed == [(str(loan.id), "create", loan.area_code) for loan in in_file_order]
