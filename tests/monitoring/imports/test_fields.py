"""Each field's own rules, and the route's description in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from httpx import AsyncClient

from tests.monitoring.imports.support import ndjson, row, rules_by_row, upload
from tests.support.identities import TokenFactory

WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def with_check_digit(body: str) -> str:
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


BAD_FIELDS: list[tuple[dict[str, Any], str, str]] = [
    ({"household_number": "H" * 41}, "household_number", "too_long"),
    ({"village": "41142410520"}, "village", "format"),
    ({"village": "410000001000"}, "village", "structure"),
    ({"kind": "poor"}, "kind", "code_unknown"),
    ({"phone": "12345"}, "phone", "format"),
    ({"person_number": "12345"}, "person_number", "format"),
    ({"person_number": with_check_digit("41142421000101001")}, "person_number", "birth_date"),
    ({"person_number": with_check_digit("99999919800101001")}, "person_number", "region"),
    ({"name": 5}, "name", "type"),
    ({"relationship": None}, "relationship", "missing"),
    ({"education": "phd"}, "education", "code_unknown"),
    ({"work_place": "村" * 101}, "work_place", "too_long"),
    ({"work_months": 13}, "work_months", "range"),
    ({"work_months": "six"}, "work_months", "format"),
    ({"medical_insurance": "maybe"}, "medical_insurance", "format"),
]


async def test_each_field_rule(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    rows = [{**row(f"FR-{n}"), **change} for n, (change, _, _) in enumerate(BAD_FIELDS)]
    good = row("FR-ok", work_months="12", pension_insurance="是", minimum_living_allowance=1)
    async with client_for("monitoring") as client:
        answer = await upload(
            client, ndjson([*rows, good]), tokens.county_admin(), media_type="application/x-ndjson"
        )
    report = answer.json()
    assert rules_by_row(report) == {
        n: (rule, field) for n, (_, field, rule) in enumerate(BAD_FIELDS, start=1)
    }
    assert report["members_created"] == 1


async def test_the_route_documents_its_formats_and_idempotency(
    client_for: Callable[[str], AsyncClient],
) -> None:
    async with client_for("monitoring") as client:
        document = (await client.get("/api/v1/openapi.json")).json()
    operation = document["paths"]["/api/v1/imports/households"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/x-ndjson", "text/csv"}
    assert "Idempotency-Key" in operation["description"]
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
