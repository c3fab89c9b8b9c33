"""A spell file spread over many batches: each labourer is found and locked once, remembered
for the later batches (also when the memory starts afresh), and a labourer not found stays
not found; the report and the figures are those of one batch."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from services.employment.bulk import labourers, loading
from tests.employment.support import county_staff, person, register_labourer, stored_figures
from tests.support.identities import TokenFactory

PATH = "/api/v1/bulk/employment-spells"


async def line_by_line(rows: list[dict[str, Any]]) -> AsyncIterator[bytes]:
    """One piece a line, so that batches of two rows end at every second line."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False).encode() + b"\n"


@pytest.mark.parametrize("remembered", [labourers.REMEMBERED, 1])
async def test_labourers_are_remembered_across_batches(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
    remembered: int,
) -> None:
    monkeypatch.setattr(loading, "BATCH_ROWS", 2)
    monkeypatch.setattr(labourers, "REMEMBERED", remembered)
    staff = county_staff(tokens)
    first = await person(apps["monitoring"])
    second = await person(apps["monitoring"])
    async with client_for("employment") as client:
        one = await register_labourer(client, staff, first)
        await register_labourer(client, staff, second)
        job = {
            "employer": "某电子厂",
            "place_class": "in_province",
            "kind": "enterprise",
            "monthly_wage": "3000.00",
        }
        spring = {**job, "start_date": "2025-03-01", "end_date": "2025-04-30"}
        summer = {**job, "start_date": "2025-05-01", "end_date": "2025-06-30"}
        rows = [
            {**spring, "person_number": first.number},
            {**spring, "person_number": second.number},
            {**spring, "person_number": "4114"},
            {**spring, "labourer_id": str(uuid.uuid4())},
            {**summer, "labourer_id": one["id"]},
            {**summer, "person_number": second.number},
            {**summer, "person_number": "4114"},
            {**summer, "person_number": first.number},
        ]
        headers = {**staff, "Idempotency-Key": str(uuid.uuid4())}
        loaded = await client.post(
            PATH,
            content=line_by_line(rows),
            headers={**headers, "Content-Type": "application/x-ndjson"},
        )
    assert loaded.status_code == 200, loaded.text
    report = loaded.json()
    assert (report["rows"], report["accepted"], report["rejected"]) == (8, 5, 3)
    problems = {p["row"]: (p["field"], p["rule"]) for p in report["problems"]}
    assert problems == {
        3: ("person_number", "format"),
        4: ("labourer_id", "labourer_not_found"),
        7: ("person_number", "format"),
    }
    figures = await stored_figures(apps["employment"])
    # Both worked 122 days of 2025 in the province (the first has two summer spells, counted once).
    assert figures["employed@2025"] == 2 and figures["employed:in_province@2025"] == 2
