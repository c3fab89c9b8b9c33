"""Allocations (资金下达): recorded by county staff for their county, read back with running
totals, counted in the figures, fed and audited; bad input writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.funds.support import (
    API,
    YEAR,
    Staff,
    allocate,
    allocation_body,
    figures_of,
    posting,
    problem,
    rule_of,
)
from tests.support.history import history_of
from tests.support.identities import CITY, COUNTY, OTHER_COUNTY, TOWNSHIP, TokenFactory


async def test_record_and_read_an_allocation(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        answer = await client.post(
            f"{API}/allocations", json=allocation_body(), headers=posting(staff.clerk)
        )
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert answer.headers["Location"] == f"{API}/allocations/{body['id']}"
        assert answer.headers["ETag"] == '"1"'
        assert body["amount"] == "1000000.00" and body["effect"] == "1000000.00"
        assert body["available"] == "1000000.00" and body["linked"] == "0.00"
        assert body["kind"] == "original" and body["level"] == "central"

        read = await client.get(f"{API}/allocations/{body['id']}", headers=staff.approver)
        assert read.status_code == 200 and read.json() == body
        for viewer in (Role.CITY_VIEWER, Role.PROVINCE_VIEWER):
            area = CITY if viewer == Role.CITY_VIEWER else "410000000000"
            seen = await client.get(
                f"{API}/allocations/{body['id']}", headers=tokens.headers(viewer, area)
            )
            assert seen.status_code == 200, viewer
    assert await figures_of(apps["funds"]) == {
        "allocated": Decimal("1000000.00"),
        "allocated:central": Decimal("1000000.00"),
    }
    assert await history_of(apps["funds"], body["id"]) == (["create"], ["create"])


async def test_list_by_year_and_level_page_by_page(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        for level, day in (("central", "02-10"), ("provincial", "03-10"), ("county", "04-10")):
            await allocate(client, staff.clerk, level=level, issued_on=f"{YEAR}-{day}")
        await allocate(client, staff.clerk, year=YEAR - 1, issued_on=f"{YEAR - 1}-05-01")
        seen, cursor = [], None
        while True:
            params: dict[str, str | int] = {"year": YEAR, "limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = (
                await client.get(f"{API}/allocations", params=params, headers=staff.clerk)
            ).json()
            seen += [item["level"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ["county", "provincial", "central"]  # newest document first
        provincial = await client.get(
            f"{API}/allocations", params={"level": "provincial"}, headers=staff.clerk
        )
        assert [item["level"] for item in provincial.json()["items"]] == ["provincial"]
        bad = await client.get(
            f"{API}/allocations", params={"level": "village"}, headers=staff.clerk
        )
        problem(bad, 422, "validation_failed", "query.level")


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"amount": "-5.00"}, "body.amount", "greater_than_equal"),
        ({"amount": "0"}, "body.amount", "greater_than"),
        ({"amount": "10.005"}, "body.amount", "decimal_max_places"),
        ({"amount": 100.5}, "body.amount", "value_error"),
        ({"amount": "1e6"}, "body.amount", "value_error"),
        ({"amount": "12345678901234567.00"}, "body.amount", "decimal_whole_digits"),
        ({"level": "township"}, "body.level", "enum"),
        ({"area_code": TOWNSHIP}, "body.area_code", "not_a_county"),
        ({"area_code": OTHER_COUNTY}, "body.area_code", "area_out_of_scope"),
        ({"area_code": "410000001000"}, "body.area_code", "value_error"),
        ({"issued_on": "2999-01-01"}, "body.issued_on", "date_in_future"),
        ({"year": 1999}, "body.year", "greater_than_equal"),
        ({"document_number": ""}, "body.document_number", "string_too_short"),
        ({"surprise": 1}, "body.surprise", "extra_forbidden"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    change: dict[str, object],
    field: str,
    rule: str,
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        answer = await client.post(
            f"{API}/allocations", json=allocation_body(**change), headers=posting(staff.clerk)
        )
        problem(answer, 422, "validation_failed", field)
        assert rule_of(answer, field) == rule
        listed = await client.get(f"{API}/allocations", headers=staff.admin)
        assert listed.json()["items"] == []
    assert await figures_of(apps["funds"]) == {}


async def test_only_county_staff_and_administrators_record_allocations(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        for headers in (staff.officer, staff.reviewer, tokens.headers(Role.CITY_VIEWER, CITY)):
            refused = await client.post(
                f"{API}/allocations", json=allocation_body(), headers=posting(headers)
            )
            problem(refused, 403, "role_not_allowed")
        for headers in (staff.approver, staff.admin):
            await allocate(client, headers)
        no_key = await client.post(
            f"{API}/allocations", json=allocation_body(), headers=staff.clerk
        )
        problem(no_key, 422, "validation_failed", "header.Idempotency-Key")
        anonymous = await client.get(f"{API}/allocations")
        problem(anonymous, 401, "token_missing")


async def test_a_replayed_allocation_is_recorded_once(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    headers = posting(staff.clerk)
    async with client_for("funds") as client:
        first = await client.post(f"{API}/allocations", json=allocation_body(), headers=headers)
        again = await client.post(f"{API}/allocations", json=allocation_body(), headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
        other = await client.post(
            f"{API}/allocations", json=allocation_body(amount="2.00"), headers=headers
        )
        problem(other, 422, "idempotency_key_reused")
    assert (await figures_of(apps["funds"]))["allocated"] == Decimal("1000000.00")


async def test_a_county_sees_only_its_own_allocations(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        mine = await allocate(client, staff.clerk)
        theirs = await allocate(client, staff.outsider, area_code=OTHER_COUNTY)
        listed = await client.get(f"{API}/allocations", headers=staff.clerk)
        assert [item["id"] for item in listed.json()["items"]] == [mine["id"]]
        city = await client.get(
            f"{API}/allocations",
            params={"area": COUNTY},
            headers=tokens.headers(Role.CITY_VIEWER, CITY),
        )
        assert [item["id"] for item in city.json()["items"]] == [mine["id"]]
        assert theirs["area_code"] == OTHER_COUNTY
