"""Renaming and dissolving an area, with optimistic concurrency."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.tables import audit_log, changes
from tests.gateway.areas.support import (
    AREAS,
    problem,
    register_ok,
    unique_county_admin,
    written_here,
)
from tests.support.identities import COUNTY, TOWNSHIP, TokenFactory


def if_match(headers: dict[str, str], version: int) -> dict[str, str]:
    return {**headers, "If-Match": f'"{version}"'}


async def test_rename_with_if_match(
    gateway: AsyncClient, tokens: TokenFactory, apps: dict[str, FastAPI]
) -> None:
    admin, subject = unique_county_admin(tokens)
    created = await register_ok(gateway, admin, TOWNSHIP, "慈圣镇")
    answer = await gateway.patch(
        f"{AREAS}/{TOWNSHIP}", json={"name": "慈圣乡"}, headers=if_match(admin, 1)
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["ETag"] == '"2"'
    body = answer.json()
    assert body["name"] == "慈圣乡" and body["version"] == 2
    assert body["created_at"] == created["created_at"]
    assert body["updated_at"] >= created["updated_at"]
    assert (await gateway.get(f"{AREAS}/{TOWNSHIP}", headers=admin)).json() == body

    async with apps["gateway"].state.database.sessionmaker() as session:
        feed = (
            await session.execute(
                select(changes.c.operation, changes.c.version)
                .where(written_here(), changes.c.entity_id == TOWNSHIP)
                .order_by(changes.c.seq)
            )
        ).all()
        audit = (
            await session.execute(
                select(audit_log.c.action, audit_log.c.details)
                .where(audit_log.c.actor == subject, audit_log.c.entity_id == TOWNSHIP)
                .order_by(audit_log.c.id)
            )
        ).all()
    assert [tuple(row) for row in feed] == [("create", 1), ("update", 2)]
    assert [(row.action, row.details) for row in audit] == [
        ("create", {}),
        ("update", {"fields": ["name"]}),
    ]


async def test_a_stale_version_answers_412_with_the_current_record(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    admin = tokens.county_admin()
    await register_ok(gateway, admin, TOWNSHIP, "慈圣镇")
    renamed = await gateway.patch(
        f"{AREAS}/{TOWNSHIP}", json={"name": "慈圣乡"}, headers=if_match(admin, 1)
    )
    stale = await gateway.patch(
        f"{AREAS}/{TOWNSHIP}", json={"name": "慈圣街道"}, headers=if_match(admin, 1)
    )
    body = problem(stale, 412, "version_mismatch")
    assert body["current"] == renamed.json()
    assert stale.headers["ETag"] == '"2"'
    assert (await gateway.get(f"{AREAS}/{TOWNSHIP}", headers=admin)).json()["name"] == "慈圣乡"


async def test_if_match_is_required(gateway: AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.county_admin()
    await register_ok(gateway, admin, TOWNSHIP, "慈圣镇")
    missing = await gateway.patch(f"{AREAS}/{TOWNSHIP}", json={"name": "慈圣乡"}, headers=admin)
    problem(missing, 428, "precondition_required")
    garbled = await gateway.patch(
        f"{AREAS}/{TOWNSHIP}", json={"name": "慈圣乡"}, headers={**admin, "If-Match": "v1"}
    )
    problem(garbled, 422, "validation_failed", "version_format")


async def test_dissolve_keeps_the_code(gateway: AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.county_admin()
    await register_ok(gateway, admin, TOWNSHIP, "慈圣镇")
    answer = await gateway.patch(
        f"{AREAS}/{TOWNSHIP}", json={"dissolved_on": "2024-06-30"}, headers=if_match(admin, 1)
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["dissolved_on"] == "2024-06-30"
    assert (await gateway.get(f"{AREAS}/{TOWNSHIP}", headers=admin)).status_code == 200

    listed = await gateway.get(AREAS, params={"parent": COUNTY}, headers=admin)
    assert listed.json()["items"] == []
    everything = await gateway.get(
        AREAS, params={"parent": COUNTY, "include_dissolved": "true"}, headers=admin
    )
    assert [item["code"] for item in everything.json()["items"]] == [TOWNSHIP]

    reinstated = await gateway.patch(
        f"{AREAS}/{TOWNSHIP}", json={"dissolved_on": None}, headers=if_match(admin, 2)
    )
    assert reinstated.json()["dissolved_on"] is None and reinstated.json()["version"] == 3


async def test_malformed_updates(gateway: AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.county_admin()
    await register_ok(gateway, admin, TOWNSHIP, "慈圣镇")
    cases = [
        ({}, "no_changes"),
        ({"name": None}, "not_null"),
        ({"name": ""}, "string_too_short"),
        ({"code": "411424106000"}, "extra_forbidden"),
        ({"dissolved_on": "yesterday"}, "date_from_datetime_parsing"),
    ]
    for body, rule in cases:
        answer = await gateway.patch(f"{AREAS}/{TOWNSHIP}", json=body, headers=if_match(admin, 1))
        problem(answer, 422, "validation_failed", rule)


async def test_national_divisions_are_changed_by_administrators_only(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    rename = {"name": "柘城市"}
    refused = await gateway.patch(
        f"{AREAS}/{COUNTY}", json=rename, headers=if_match(tokens.county_admin(), 1)
    )
    problem(refused, 403, "role_not_allowed")
    officer = await gateway.patch(
        f"{AREAS}/{COUNTY}", json=rename, headers=if_match(tokens.village_officer(), 1)
    )
    problem(officer, 403, "role_not_allowed")
    allowed = await gateway.patch(
        f"{AREAS}/{COUNTY}", json=rename, headers=if_match(tokens.administrator(), 1)
    )
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["name"] == "柘城市"
