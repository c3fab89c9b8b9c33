"""Registering one area: townships and villages, custom units, and every rule that refuses."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.tables import audit_log, changes
from tests.gateway.areas.support import (
    AREAS,
    idempotent,
    problem,
    register,
    register_ok,
    unique_county_admin,
    written_here,
)
from tests.support.identities import (
    CITY,
    COUNTY,
    OTHER_COUNTY,
    OTHER_TOWNSHIP,
    PROVINCE,
    TOWNSHIP,
    VILLAGE,
    TokenFactory,
)

ZHENGZHOU = "410100000000"
AIRPORT_ZONE = "410171000000"  # 郑州航空港经济综合实验区, not in the national list


async def test_a_township_then_a_village(
    gateway: AsyncClient, tokens: TokenFactory, apps: dict[str, FastAPI]
) -> None:
    admin, subject = unique_county_admin(tokens)
    answer = await register(gateway, admin, TOWNSHIP, " 慈圣镇 ")
    assert answer.status_code == 201, answer.text
    assert answer.headers["Location"] == f"/api/v1/areas/{TOWNSHIP}"
    assert answer.headers["ETag"] == '"1"'
    township = answer.json()
    assert township["name"] == "慈圣镇"
    assert township["level"] == "township" and township["parent_code"] == COUNTY
    assert township["custom"] is False and township["version"] == 1

    village = await register_ok(gateway, admin, VILLAGE, "前进村", parent_code=TOWNSHIP)
    assert village["level"] == "village" and village["parent_code"] == TOWNSHIP
    read = await gateway.get(f"{AREAS}/{VILLAGE}", headers=admin)
    assert read.json() == village

    async with apps["gateway"].state.database.sessionmaker() as session:
        feed = (
            await session.execute(select(changes).where(written_here()).order_by(changes.c.seq))
        ).all()
        audit = (await session.execute(select(audit_log).where(audit_log.c.actor == subject))).all()
    assert [(row.entity_id, row.operation, row.area_code, row.version) for row in feed] == [
        (TOWNSHIP, "create", TOWNSHIP, 1),
        (VILLAGE, "create", VILLAGE, 1),
    ]
    assert sorted((row.entity_id, row.action) for row in audit) == [
        (TOWNSHIP, "create"),
        (VILLAGE, "create"),
    ]


async def test_a_retried_post_replays_the_first_answer(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    headers = idempotent(tokens.county_admin())
    body = {"code": TOWNSHIP, "name": "慈圣镇"}
    first = await gateway.post(AREAS, json=body, headers=headers)
    again = await gateway.post(AREAS, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


async def test_a_registered_code_is_a_conflict(gateway: AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.county_admin()
    await register_ok(gateway, admin, TOWNSHIP, "慈圣镇")
    body = problem(
        await register(gateway, admin, TOWNSHIP, "慈圣镇"), 409, "area_exists", "area_exists"
    )
    assert body["fields"][0]["field"] == "body.code"


async def test_the_parent_must_be_registered(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await register(gateway, tokens.county_admin(), VILLAGE, "前进村")
    body = problem(answer, 422, "validation_failed", "parent_unknown")
    assert body["fields"][0]["field"] == "body.parent_code"


async def test_the_parent_must_be_the_structural_one(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await register(gateway, tokens.county_admin(), TOWNSHIP, "慈圣镇", parent_code=CITY)
    body = problem(answer, 422, "validation_failed", "parent_mismatch")
    assert body["fields"][0]["field"] == "body.parent_code"


async def test_a_dissolved_parent_takes_no_children(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    admin = tokens.county_admin()
    await register_ok(gateway, admin, TOWNSHIP, "慈圣镇")
    dissolved = await gateway.patch(
        f"{AREAS}/{TOWNSHIP}",
        json={"dissolved_on": "2024-01-01"},
        headers={**admin, "If-Match": "1"},
    )
    assert dissolved.status_code == 200, dissolved.text
    answer = await register(gateway, admin, VILLAGE, "前进村")
    problem(answer, 422, "validation_failed", "parent_dissolved")


async def test_national_levels_come_from_the_national_file(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    for code in ("411499000000", "419900000000", "990000000000", "000000000000"):
        answer = await register(gateway, tokens.administrator(), code, "新县")
        body = problem(answer, 422, "validation_failed", "level_not_allowed")
        assert body["fields"][0]["field"] == "body.code"


async def test_the_area_must_be_within_the_callers(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await register(gateway, tokens.county_admin(), OTHER_TOWNSHIP, "白庙乡")
    body = problem(answer, 422, "validation_failed", "area_out_of_scope")
    assert body["fields"][0]["field"] == "body.code"


async def test_only_managers_register(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await register(gateway, tokens.village_officer(), TOWNSHIP, "慈圣镇")
    problem(answer, 403, "role_not_allowed")


async def test_malformed_input(gateway: AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.county_admin()
    cases = [
        ({"code": "4114241050", "name": "慈圣镇"}, "body.code", "code_format"),
        ({"code": 411424105000, "name": "慈圣镇"}, "body.code", "string_type"),
        ({"code": "411424000201", "name": "慈圣镇"}, "body.code", "code_structure"),
        ({"code": TOWNSHIP, "name": "  "}, "body.name", "string_too_short"),
        ({"code": TOWNSHIP, "name": "慈圣\x00镇"}, "body.name", "string_pattern_mismatch"),
        (
            {"code": TOWNSHIP, "name": "慈圣镇", "level": "township"},
            "body.level",
            "extra_forbidden",
        ),
        (
            {"code": TOWNSHIP, "name": "慈圣镇", "parent_code": "4114"},
            "body.parent_code",
            "code_format",
        ),
    ]
    for body, field, rule in cases:
        answer = await gateway.post(AREAS, json=body, headers=idempotent(admin))
        problem_body = problem(answer, 422, "validation_failed", rule)
        assert problem_body["fields"][0]["field"] == field
    without_key = await gateway.post(
        AREAS, json={"code": TOWNSHIP, "name": "慈圣镇"}, headers=admin
    )
    assert problem(without_key, 422, "validation_failed")["fields"][0]["field"] == (
        "header.Idempotency-Key"
    )


async def test_an_administrator_registers_a_custom_area(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    admin = tokens.administrator()
    zone = await register_ok(gateway, admin, AIRPORT_ZONE, "郑州航空港经济综合实验区", custom=True)
    assert zone["parent_code"] == ZHENGZHOU
    assert zone["level"] == "county" and zone["custom"] is True
    # Townships of the zone hang from it like from any county.
    township = await register_ok(gateway, admin, "410171001000", "新港办事处")
    assert township["parent_code"] == AIRPORT_ZONE and township["custom"] is False
    # A custom unit may hang from any place that contains it.
    park = await register_ok(
        gateway, admin, "411424400000", "产业集聚区", custom=True, parent_code=CITY
    )
    assert park["level"] == "township" and park["parent_code"] == CITY
    city_level = await register_ok(gateway, admin, "419800000000", "示范区", custom=True)
    assert city_level["parent_code"] == PROVINCE


async def test_custom_area_rules(gateway: AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.administrator()
    refused = await register(
        gateway, tokens.county_admin(), "411424400000", "产业集聚区", custom=True
    )
    problem(refused, 403, "role_not_allowed")
    mismatched = await register(
        gateway, admin, "411424400000", "产业集聚区", custom=True, parent_code=OTHER_COUNTY
    )
    problem(mismatched, 422, "validation_failed", "parent_mismatch")
    itself = await register(
        gateway, admin, AIRPORT_ZONE, "示范区", custom=True, parent_code=AIRPORT_ZONE
    )
    problem(itself, 422, "validation_failed", "parent_mismatch")
    village = await register(gateway, admin, "411424400001", "示范村", custom=True)
    problem(village, 422, "validation_failed", "level_not_allowed")
    province = await register(gateway, admin, "980000000000", "示范省", custom=True)
    problem(province, 422, "validation_failed", "level_not_allowed")


@pytest.mark.committing
async def test_two_concurrent_registrations_of_one_code(
    committing_gateway: AsyncClient, tokens: TokenFactory
) -> None:
    admin = tokens.county_admin()
    answers = await asyncio.gather(
        register(committing_gateway, admin, TOWNSHIP, "慈圣镇"),
        register(committing_gateway, admin, TOWNSHIP, "慈圣乡"),
    )
    assert sorted(answer.status_code for answer in answers) == [201, 409]
    conflict = next(answer for answer in answers if answer.status_code == 409)
    problem(conflict, 409, "area_exists", "area_exists")
