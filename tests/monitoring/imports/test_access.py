"""Who may import, and where: roles, the caller's area, and villages only."""

from __future__ import annotations

from collections.abc import Callable

from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.monitoring.imports.support import csv_file, ndjson, row, rules_by_row, upload
from tests.support.identities import COUNTY, VILLAGE, TokenFactory

NDJSON = "application/x-ndjson"


async def test_a_village_officer_imports_only_into_its_village(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    neighbour = "411424105202"  # same township and county, another village
    rows = [row("V-1"), row("V-2", village=neighbour), row("V-2", "son", village=neighbour)]
    async with client_for("monitoring") as client:
        answer = await upload(client, ndjson(rows), tokens.village_officer(), media_type=NDJSON)
    report = answer.json()
    assert report["households_created"] == 1
    assert rules_by_row(report) == {
        2: ("area_out_of_scope", "village"),
        3: ("area_out_of_scope", "village"),
    }


async def test_roles_that_may_not_import_get_403(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    async with client_for("monitoring") as client:
        for role, area in [
            (Role.PROVINCE_VIEWER, "410000000000"),
            (Role.TOWNSHIP_REVIEWER, "411424105000"),
            (Role.COUNTY_APPROVER, COUNTY),
        ]:
            answer = await upload(
                client, ndjson([row("X-1")]), tokens.headers(role, area), media_type=NDJSON
            )
            assert answer.status_code == 403, role
            assert answer.json()["code"] == "role_not_allowed"
        anonymous = await upload(client, ndjson([row("X-1")]), {}, media_type=NDJSON)
    assert anonymous.status_code == 401


async def test_an_administrator_imports_anywhere(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    rows = [row("A-1", village=VILLAGE), row("A-2", village="411422101201")]
    async with client_for("monitoring") as client:
        answer = await upload(client, ndjson(rows), tokens.administrator(), media_type=NDJSON)
    assert answer.json()["households_created"] == 2


async def test_a_byte_order_mark_is_skipped(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    async with client_for("monitoring") as client:
        csv_answer = await upload(
            client, csv_file([row("B-1")], bom=True), tokens.county_admin(), media_type="text/csv"
        )
        json_answer = await upload(
            client,
            b"\xef\xbb\xbf" + ndjson([row("B-2")]),
            tokens.county_admin(),
            media_type="application/x-ndjson; charset=utf-8",
        )
    assert csv_answer.json()["members_created"] == 1, csv_answer.text
    assert json_answer.json()["members_created"] == 1, json_answer.text
