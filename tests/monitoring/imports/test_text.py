"""Text the database cannot store is a row problem, and CSV files read the same with and
without quoting (the parser splits unquoted chunks itself)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from tests.monitoring.imports.support import (
    COLUMNS,
    csv_file,
    row,
    rules_by_row,
    stored_household,
    stored_members,
    upload,
)
from tests.support.identities import TokenFactory


async def test_nul_characters_and_lone_surrogates_are_rejected_rows(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    lines = [
        json.dumps(row("T-1")),
        json.dumps(row("T-2", name="王\u0000二")),
        json.dumps(row("T-3"), ensure_ascii=True),
        json.dumps(row("T-4", address="\\ud800")).replace("\\\\ud800", "\\ud800"),
        json.dumps(row("T-5")),
    ]
    body = ("\n".join(lines) + "\n").encode("utf-8")
    async with client_for("monitoring") as client:
        answer = await upload(
            client, body, tokens.county_admin(), media_type="application/x-ndjson"
        )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert rules_by_row(report) == {
        2: ("string_encoding", "name"),
        4: ("string_encoding", "address"),
    }
    assert (report["households_created"], report["members_created"]) == (3, 3)
    assert await stored_household(apps["monitoring"], "T-2") is None


async def test_a_csv_file_reads_the_same_with_and_without_quotes(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    rows = [row("P-1"), row("P-1", "son", name="王小"), row("P-2", relationship="nephew")]
    plain = io.StringIO()
    writer = csv.writer(plain, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for item in rows:
        writer.writerow(["" if item.get(c) is None else str(item.get(c)) for c in COLUMNS])
    unquoted = plain.getvalue().replace("True", "1").replace("False", "0")
    lines = unquoted.split("\n")
    lines.insert(2, "")  # a blank line: row 2
    lines.insert(3, "P-9,too,few")  # a malformed row: row 3
    body = "\n".join(lines).encode("utf-8")
    assert b'"' not in body
    async with client_for("monitoring") as client:
        answer = await upload(client, body, tokens.county_admin(), media_type="text/csv")
    report = answer.json()
    assert rules_by_row(report) == {3: ("malformed", "row"), 5: ("code_unknown", "relationship")}
    assert sorted(m.name for m in await stored_members(apps["monitoring"], "P-1")) == sorted(
        ["王建国", "王小"]
    )

    quoted = csv_file([row("P-3"), row("P-4", name='王"引号"')])
    async with client_for("monitoring") as client:
        answer = await upload(client, quoted, tokens.county_admin(), media_type="text/csv")
    assert answer.json()["members_created"] == 2
    members = await stored_members(apps["monitoring"], "P-4")
    assert [m.name for m in members] == ['王"引号"']


async def test_json_values_equal_to_accepted_ones_are_still_checked_by_type(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    """The parser remembers accepted values; 5.0 and true equal 5 and 1 as dict keys but are
    not whole months, while 1 means true for a flag."""
    rows = [
        row("J-1", work_months=5, medical_insurance=True),
        row("J-2", work_months=5, medical_insurance=True),
        row("J-3", work_months=5.0),
        row("J-4", work_months=True),
        row("J-5", work_months=1, medical_insurance=1),
    ]
    body = ("\n".join(json.dumps(item) for item in rows) + "\n").encode("utf-8")
    async with client_for("monitoring") as client:
        answer = await upload(
            client, body, tokens.county_admin(), media_type="application/x-ndjson"
        )
    report = answer.json()
    assert rules_by_row(report) == {3: ("format", "work_months"), 4: ("format", "work_months")}
    members = await stored_members(apps["monitoring"], "J-5")
    assert [(m.work_months, m.medical_insurance) for m in members] == [(1, True)]
