"""An import answers with a per-row report: every rule names the row that broke it, and a
household is created whole or not at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.monitoring.imports.support import (
    COLUMNS,
    csv_file,
    ndjson,
    new_person_number,
    row,
    rules_by_row,
    stored_household,
    stored_members,
    upload,
)
from tests.support.identities import OTHER_VILLAGE, TOWNSHIP, TokenFactory

NDJSON = "application/x-ndjson"
CSV = "text/csv"


async def registered_person(client: AsyncClient, tokens: TokenFactory) -> str:
    """A person who is already a member of household R-1."""
    taken = row("R-1", name="赵一")
    answer = await upload(client, ndjson([taken]), tokens.county_admin(), media_type=NDJSON)
    assert answer.json()["households_created"] == 1, answer.text
    return str(taken["person_number"])


def mixed_rows(taken: str) -> list[dict[str, Any] | None]:
    """Rows 1-17 of the test file; None stands for the malformed row 14."""
    good = [
        row("H-1", name="王建国", kind="exited_poverty"),
        row("H-1", "spouse", name="李秀英", kind="exited_poverty"),
        row("H-1", "son", name="王小明", kind="exited_poverty"),
    ]
    valid = new_person_number()
    wrong_check_digit = valid[:-1] + ("1" if valid[-1] == "0" else "0")
    return [
        *good,
        row("H-2"),  # 4: household_incomplete
        row("H-2", "spouse", person_number=wrong_check_digit),  # 5: check_digit
        row("H-3", relationship="cousin"),  # 6: code_unknown
        row("H-4", village=OTHER_VILLAGE),  # 7: area_out_of_scope
        row("H-5", village=TOWNSHIP),  # 8: not_a_village
        row("H-6", person_number=good[0]["person_number"]),  # 9: duplicate_in_file
        row("H-7", person_number=taken),  # 10: person_in_other_household
        row("H-8"),  # 11: household_head (two heads)
        row("H-8"),  # 12: household_head
        row("H-9", "son"),  # 13: household_head (no head)
        None,  # 14: malformed
        row("H-11", name=""),  # 15: missing
        row("H-10"),  # 16: household_incomplete
        row("H-10", "son", kind="exited_poverty"),  # 17: household_fields_disagree
    ]


EXPECTED = {
    4: ("household_incomplete", "household_number"),
    5: ("check_digit", "person_number"),
    6: ("code_unknown", "relationship"),
    7: ("area_out_of_scope", "village"),
    8: ("not_a_village", "village"),
    9: ("duplicate_in_file", "person_number"),
    10: ("person_in_other_household", "person_number"),
    11: ("household_head", "relationship"),
    12: ("household_head", "relationship"),
    13: ("household_head", "relationship"),
    14: ("malformed", "row"),
    15: ("missing", "name"),
    16: ("household_incomplete", "household_number"),
    17: ("household_fields_disagree", "kind"),
}


def as_ndjson(rows: list[dict[str, Any] | None]) -> bytes:
    return ndjson(["{not json" if item is None else item for item in rows])


def as_csv(rows: list[dict[str, Any] | None]) -> bytes:
    return csv_file([["only", "three", "fields"] if item is None else item for item in rows])


@pytest.mark.parametrize(("media_type", "encode"), [(NDJSON, as_ndjson), (CSV, as_csv)])
async def test_every_rule_is_reported_with_its_row(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    media_type: str,
    encode: Callable[[list[dict[str, Any] | None]], bytes],
) -> None:
    async with client_for("monitoring") as client:
        taken = await registered_person(client, tokens)
        answer = await upload(
            client, encode(mixed_rows(taken)), tokens.county_admin(), media_type=media_type
        )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert rules_by_row(report) == EXPECTED
    assert report["received"] == 17
    assert (report["households_created"], report["members_created"]) == (1, 3)
    assert report["unchanged"] == 0
    assert report["rejected_count"] == len(EXPECTED)
    assert all(item["message"] for item in report["rejected"])

    household = await stored_household(apps["monitoring"], "H-1")
    assert household is not None
    assert (household.head_name, household.kind, household.member_count) == (
        "王建国",
        "exited_poverty",
        3,
    )
    assert household.phone_masked == "138****5678"
    for rejected in ("H-2", "H-3", "H-6", "H-7", "H-8", "H-9", "H-10"):
        assert await stored_household(apps["monitoring"], rejected) is None
    members = await stored_members(apps["monitoring"], "H-1")
    assert sorted(member.relationship for member in members) == ["head", "son", "spouse"]
    head = next(member for member in members if member.relationship == "head")
    assert (head.education, head.work_months, head.medical_insurance) == (
        "junior_secondary",
        6,
        True,
    )


async def test_the_report_lists_the_first_thousand_rejections_and_counts_all(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    lines: list[dict[str, Any] | str] = ["[]"] * 1005
    async with client_for("monitoring") as client:
        answer = await upload(client, ndjson(lines), tokens.county_admin(), media_type=NDJSON)
    report = answer.json()
    assert report["rejected_count"] == 1005
    assert [item["row"] for item in report["rejected"]] == list(range(1, 1001))


async def test_csv_header_without_required_columns_is_refused(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    header = ",".join(name for name in COLUMNS if name != "person_number")
    async with client_for("monitoring") as client:
        answer = await upload(
            client, (header + ",备注\r\n").encode(), tokens.county_admin(), media_type=CSV
        )
    assert answer.status_code == 422
    assert answer.json()["fields"][0]["rule"] == "csv_header_invalid"
    assert "person_number" in answer.json()["fields"][0]["message"]


async def test_unknown_columns_are_ignored_and_listed(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    body = csv_file([row("H-1")]).decode()
    header, _, rest = body.partition("\r\n")
    lines = [header + ",序号", *(line + ",1" for line in rest.splitlines())]
    async with client_for("monitoring") as client:
        answer = await upload(
            client, "\r\n".join(lines).encode(), tokens.county_admin(), media_type=CSV
        )
    assert answer.json()["ignored_columns"] == ["序号"]
    assert answer.json()["members_created"] == 1


async def test_other_media_types_are_refused(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    async with client_for("monitoring") as client:
        answer = await upload(client, b"{}", tokens.county_admin(), media_type="application/json")
        latin = await upload(
            client, b"", tokens.county_admin(), media_type="text/csv; charset=latin-1"
        )
    assert (answer.status_code, answer.json()["code"]) == (415, "unsupported_media_type")
    assert latin.status_code == 415
