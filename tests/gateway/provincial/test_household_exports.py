"""Households (with members) exported through the gateway for a province system: NDJSON and
CSV, masked by default, revealed and audited once with the scope, scoped by area."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from services.common.personal_data import mask_person_number, mask_phone
from tests.gateway.provincial.support import (
    OTHER_PROVINCE,
    PLATFORM,
    csv_rows,
    export,
    export_audits,
    ndjson,
    platform,
    problem,
)
from tests.support.identities import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_VILLAGE,
    PROVINCE,
    VILLAGE,
    TokenFactory,
)
from tests.support.monitoring import person_number


def _member(relationship: str, name: str, number: str) -> dict[str, Any]:
    return {"person_number": number, "name": name, "relationship": relationship}


async def _register(
    gateway: AsyncClient, tokens: TokenFactory, village: str, phone: str, names: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """A household registered through the gateway; (its record, the members' full numbers)."""
    numbers = [
        person_number(region=village[:6], birth=date(1970 + i * 20, 6, 1))
        for i in range(len(names))
    ]
    relationships = ["head", *["son"] * (len(names) - 1)]
    answer = await gateway.post(
        "/api/v1/monitoring/households",
        json={
            "area_code": village,
            "kind": "exited_poverty",
            "phone": phone,
            "members": [
                _member(relationship, name, number)
                for relationship, name, number in zip(relationships, names, numbers, strict=True)
            ],
        },
        headers={**tokens.administrator(), "Idempotency-Key": f"export-{village}-{phone}"},
    )
    assert answer.status_code == 201, answer.text
    return answer.json(), numbers


@pytest.fixture
async def registry(gateway: AsyncClient, tokens: TokenFactory) -> dict[str, Any]:
    ours, our_numbers = await _register(
        gateway, tokens, VILLAGE, "13812345678", ["王建国", "王小明", "王小红"]
    )
    second, second_numbers = await _register(gateway, tokens, VILLAGE, "13900001111", ["赵大"])
    theirs, _ = await _register(gateway, tokens, OTHER_VILLAGE, "13700002222", ["孙二", "孙三"])
    return {
        "ours": ours,
        "second": second,
        "theirs": theirs,
        "numbers": {ours["id"]: our_numbers, second["id"]: second_numbers},
        "phones": {ours["id"]: "13812345678", second["id"]: "13900001111"},
    }


async def test_ndjson_nests_members_with_personal_data_masked(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory, registry: dict[str, Any]
) -> None:
    answer = await export(gateway, "monitoring", "households", platform(tokens), area=COUNTY)
    records = {record["id"]: record for record in ndjson(answer)}
    assert set(records) == {registry["ours"]["id"], registry["second"]["id"]}
    assert answer.headers["content-disposition"].endswith(f'households-{COUNTY}.ndjson"')

    ours = records[registry["ours"]["id"]]
    assert ours["area_code"] == VILLAGE and ours["kind"] == "exited_poverty"
    assert ours["head_name"] == "王建国" and ours["member_count"] == 3
    assert ours["phone"] == mask_phone("13812345678") != "13812345678"
    assert [m["name"] for m in ours["members"]] == ["王建国", "王小明", "王小红"]
    numbers = registry["numbers"][ours["id"]]
    assert sorted(m["person_number"] for m in ours["members"]) == sorted(
        mask_person_number(n) for n in numbers
    )
    assert not set(numbers) & {m["person_number"] for m in ours["members"]}
    assert {m["id"] for m in ours["members"]} == {m["id"] for m in registry["ours"]["members"]}

    (audit,) = await export_audits(apps["monitoring"], PLATFORM, "households")
    assert audit.area_code == COUNTY and audit.details == {"format": "ndjson", "revealed": False}


async def test_reveal_scope_decrypts_and_is_audited_once(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory, registry: dict[str, Any]
) -> None:
    answer = await export(gateway, "monitoring", "households", platform(tokens, reveal=True))
    records = {record["id"]: record for record in ndjson(answer)}
    # The whole province: both counties' households.
    assert set(records) == {registry[k]["id"] for k in ("ours", "second", "theirs")}
    for household_id, numbers in registry["numbers"].items():
        record = records[household_id]
        assert sorted(m["person_number"] for m in record["members"]) == sorted(numbers)
        assert record["phone"] == registry["phones"][household_id]

    audits = await export_audits(apps["monitoring"], PLATFORM, "households")
    assert len(audits) == 1
    assert audits[0].area_code == PROVINCE and audits[0].details["revealed"] is True
    assert audits[0].actor_role == Role.PROVINCE_SYSTEM.value


async def test_csv_has_a_header_and_one_row_per_member(
    gateway: AsyncClient, tokens: TokenFactory, registry: dict[str, Any]
) -> None:
    answer = await export(
        gateway, "monitoring", "households", platform(tokens), area=COUNTY, format="csv"
    )
    header, rows = csv_rows(answer)
    assert header[:3] == ["id", "household_number", "area_code"]
    assert "member_person_number" in header and "members" not in header
    by_household: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_household.setdefault(row["id"], []).append(row)
    assert {k: len(v) for k, v in by_household.items()} == {
        registry["ours"]["id"]: 3,
        registry["second"]["id"]: 1,
    }
    head = by_household[registry["ours"]["id"]][0]
    assert head["member_name"] == "王建国" and head["member_relationship"] == "head"
    assert head["phone"] == mask_phone("13812345678")
    assert head["member_person_number"] == mask_person_number(
        registry["numbers"][registry["ours"]["id"]][0]
    )
    assert head["risk_types"] == "[]" and head["member_medical_insurance"] == "false"


async def test_area_outside_the_caller_is_404_and_defaults_to_its_own(
    gateway: AsyncClient, tokens: TokenFactory, registry: dict[str, Any]
) -> None:
    county_viewer = tokens.headers(Role.COUNTY_APPROVER, COUNTY)
    answer = await export(gateway, "monitoring", "households", county_viewer, area=OTHER_COUNTY)
    problem(answer, 404, "not_found")

    mine = ndjson(await export(gateway, "monitoring", "households", county_viewer))
    assert {r["id"] for r in mine} == {registry["ours"]["id"], registry["second"]["id"]}

    neighbour = tokens.headers(Role.COUNTY_APPROVER, OTHER_COUNTY)
    theirs = ndjson(await export(gateway, "monitoring", "households", neighbour))
    assert [r["id"] for r in theirs] == [registry["theirs"]["id"]]

    elsewhere = platform(tokens, area=OTHER_PROVINCE)
    problem(
        await export(gateway, "monitoring", "households", elsewhere, area=PROVINCE),
        404,
        "not_found",
    )
    assert ndjson(await export(gateway, "monitoring", "households", elsewhere)) == []


async def test_bad_format_and_area_are_422_naming_the_field(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    body = problem(
        await export(gateway, "monitoring", "households", platform(tokens), format="xml"),
        422,
        "validation_failed",
    )
    assert body["fields"][0]["field"] == "query.format"
    body = problem(
        await export(gateway, "monitoring", "households", platform(tokens), area="41"),
        422,
        "validation_failed",
    )
    assert body["fields"][0]["field"] == "query.area"


async def test_feed_writers_may_not_export(gateway: AsyncClient, tokens: TokenFactory) -> None:
    feed = tokens.headers(Role.DEPARTMENT_FEED, PROVINCE)
    problem(await export(gateway, "monitoring", "households", feed), 403, "role_not_allowed")
    problem(await export(gateway, "monitoring", "cases", feed), 403, "role_not_allowed")
    problem(await gateway.get("/api/v1/monitoring/exports/households"), 401, "token_missing")


async def test_an_empty_area_gives_a_header_only_csv(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await export(
        gateway, "monitoring", "households", platform(tokens), area=OTHER_COUNTY, format="csv"
    )
    header, rows = csv_rows(answer)
    assert rows == [] and header[0] == "id"
