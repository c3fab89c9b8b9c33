"""Bulk loans checked in worker processes (large files) or a thread (small ones) load the same
rows with the same values and report the same row numbers, over batches, blank lines and a CSV
cell holding a line break."""

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
from sqlalchemy import select

from services.common.process_pool import process_pool
from services.common.tables import changes
from services.employment.bulk import loading
from services.employment.models import Loan, LoanInstallment
from tests.employment.support import county_staff
from tests.support.identities import COUNTY, TokenFactory
from tests.support.monitoring import person_number

HEADER = (
    "ref,person_number,borrower_name,bank,amount,term_months,annual_rate,"
    "interest_subsidy_rate,issue_date"
)


def csv_file(numbers: list[str]) -> list[str]:
    """Lines of a bank's file: rows 1, 2, 4 and 7 load; 3, 5 and 6 are refused."""
    first, second, third, fourth = numbers
    return [
        "\ufeff" + HEADER,
        f"a,{first},王借款,柘城农商银行,30000.00,36,3.45,3.45,2026-01-31",
        "",
        f'b,{second},"李\n借款",柘城农商银行,12345.6,13,4.350,0,2025-03-15',
        "c,411424198005170015,张三,柘城农商银行,1000,12,3,3,2026-01-01",
        ",,,,,,,,",
        f"d,{third},赵四,农业银行,50000,12,0.125,0.1,2026-02-01",
        f"e,{first},王借款,柘城农商银行,30000.00,36,3.45,3.45,2026-01-31",
        f"f,{fourth},周五,农业银行,100,12,3,3,2026-02-01,surplus",
        f"g,{fourth},周五,农业银行,100.5,1,3,2.5,2026-01-31",
    ]


async def line_by_line(lines: list[str]) -> AsyncIterator[bytes]:
    for line in lines:
        yield line.encode() + b"\n"


@pytest.mark.parametrize("checked_in", ["processes", "thread"])
async def test_loans_checked_in_processes_or_a_thread_load_alike(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
    checked_in: str,
) -> None:
    employment = apps["employment"]
    update: dict[str, Any] = {"bulk_workers": 2}
    if checked_in == "processes":
        update["bulk_process_from_bytes"] = 0  # a streamed body has no length either way
    else:
        update["bulk_process_from_bytes"] = 10**9
    employment.state.settings = employment.state.settings.model_copy(update=update)
    monkeypatch.setattr(loading, "BATCH_ROWS", 2)
    pools: list[int] = []
    monkeypatch.setattr(
        loading, "process_pool", lambda workers: pools.append(workers) or process_pool(workers)
    )
    numbers = [person_number(birth=date(1980 + n, 5, 17)) for n in range(4)]
    lines = csv_file(numbers)
    body: Any = line_by_line(lines) if checked_in == "processes" else "\n".join(lines).encode()
    async with client_for("employment") as client:
        loaded = await client.post(
            "/api/v1/bulk/loans",
            content=body,
            headers={
                **county_staff(tokens),
                "Content-Type": "text/csv",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
    assert loaded.status_code == 200, loaded.text
    assert pools == ([2] if checked_in == "processes" else [])
    report = loaded.json()
    assert (report["rows"], report["accepted"], report["rejected"]) == (7, 4, 3)
    assert [(p["row"], p["ref"], p["rule"]) for p in report["problems"]] == [
        (3, "c", "check_digit"),
        (5, "e", "duplicate_borrower"),
        (6, None, "row_surplus_cells"),
    ]

    protector = employment.state.protector
    async with employment.state.database.sessionmaker() as session:
        loans = (await session.scalars(select(Loan))).all()
        schedules = (await session.scalars(select(LoanInstallment))).all()
        fed = (
            await session.execute(
                select(changes.c.entity_id, changes.c.operation, changes.c.area_code)
                .where(changes.c.entity == "loan")
                .order_by(changes.c.seq)
            )
        ).all()
    by_index = {loan.borrower_index: loan for loan in loans}
    expected = {
        numbers[0]: ("王借款", "柘城农商银行", "30000.00", 36, "3.450", "3.450", date(2026, 1, 31)),
        numbers[1]: (
            "李\n借款",
            "柘城农商银行",
            "12345.60",
            13,
            "4.350",
            "0.000",
            date(2025, 3, 15),
        ),
        numbers[2]: ("赵四", "农业银行", "50000.00", 12, "0.125", "0.100", date(2026, 2, 1)),
        numbers[3]: ("周五", "农业银行", "100.50", 1, "3.000", "2.500", date(2026, 1, 31)),
    }
    assert len(loans) == 4
    for number, (name, bank, amount, term, rate, subsidy, issued) in expected.items():
        loan = by_index[protector.person_number_index(number)]
        assert (loan.borrower_name, loan.bank, loan.term_months, loan.issue_date) == (
            name,
            bank,
            term,
            issued,
        )
        assert (str(loan.amount), str(loan.annual_rate), str(loan.interest_subsidy_rate)) == (
            amount,
            rate,
            subsidy,
        )
        assert loan.borrower_masked == f"{number[:6]}********{number[-4:]}"
        assert loan.borrower_birth_date == date(int(number[6:10]), 5, 17)
        assert (loan.status, loan.source, loan.area_code) == (
            "pending_eligibility",
            "bulk",
            COUNTY,
        )
        assert (loan.principal_repaid, loan.check_attempts, loan.version) == (0, 0, 1)
        assert loan.pending_reason and "eligibility-checks" in loan.pending_reason
        assert loan.maturity_date == loan.original_maturity_date
    assert by_index[protector.person_number_index(numbers[3])].maturity_date == date(2026, 2, 28)
    assert {(s.loan_id, s.seq, s.due_date, s.principal) for s in schedules} == {
        (loan.id, 1, loan.maturity_date, loan.amount) for loan in loans
    }
    in_file_order = [by_index[protector.person_number_index(number)] for number in numbers]
    assert fed == [(str(loan.id), "create", loan.area_code) for loan in in_file_order]
    assert all(isinstance(loan.amount, Decimal) for loan in loans)


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (b"", "file_empty"),
        (b"\n ,, \n", "file_empty"),
        (HEADER.encode() + b'\na,"unclosed\n', "csv_malformed"),
        (HEADER.encode("utf-8") + "\na,王".encode("gbk") + b"\n", "file_encoding"),
        (b"ref,person_number\n", "columns_missing"),
        (HEADER.encode() + b"\n" + b"x,1,2,3,4,5,6,7,8\n" * 3, "too_many_rows"),
    ],
)
async def test_a_bad_file_answers_422_and_loads_nothing(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    body: bytes,
    rule: str,
) -> None:
    employment = apps["employment"]
    employment.state.settings = employment.state.settings.model_copy(
        update={"bulk_max_rows": 2, "bulk_process_from_bytes": 0}
    )
    async with client_for("employment") as client:
        answer = await client.post(
            "/api/v1/bulk/loans",
            content=streamed(body),
            headers={
                **county_staff(tokens),
                "Content-Type": "text/csv",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
    assert answer.status_code == 422, answer.text
    assert answer.json()["fields"][0]["rule"] == rule
    async with employment.state.database.sessionmaker() as session:
        assert (await session.scalars(select(Loan))).all() == []


async def streamed(body: bytes) -> AsyncIterator[bytes]:
    """The body a line at a time (no Content-Length: checked in worker processes)."""
    for line in body.splitlines(keepends=True):
        yield line


async def test_text_that_cannot_be_stored_is_a_row_problem(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    row = {
        "person_number": person_number(birth=date(1990, 5, 17)),
        "borrower_name": "王",
        "bank": "柘城农商银行",
        "amount": "1000.00",
        "term_months": 12,
        "annual_rate": "3",
        "interest_subsidy_rate": "3",
        "issue_date": "2026-01-31",
    }
    body = json.dumps(row, ensure_ascii=False).replace('"王"', '"\\ud800"').encode()
    async with client_for("employment") as client:
        answer = await client.post(
            "/api/v1/bulk/loans",
            content=body,
            headers={
                **county_staff(tokens),
                "Content-Type": "application/x-ndjson",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
    assert answer.status_code == 200, answer.text
    assert [(p["row"], p["field"], p["rule"]) for p in answer.json()["problems"]] == [
        (1, "borrower_name", "string_encoding")
    ]
