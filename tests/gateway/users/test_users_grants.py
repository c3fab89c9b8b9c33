"""Who may grant which role and scope, and which areas a role may be bound to."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.gateway.users.support import (
    USERS,
    add_township_and_village,
    create_user_ok,
    if_match,
    post_user,
    problem,
)
from tests.support.identities import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_VILLAGE,
    PROVINCE,
    TOWNSHIP,
    VILLAGE,
    TokenFactory,
)

REVEAL = "personal_data:reveal"


@pytest.mark.parametrize("area", [VILLAGE, TOWNSHIP])
async def test_a_county_admin_creates_a_village_officer_in_its_county(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory, area: str
) -> None:
    await add_township_and_village(apps["gateway"])
    body = await create_user_ok(
        gateway, tokens.county_admin(), username="cun.guan", role="village_officer", area_code=area
    )
    assert body["role"] == "village_officer" and body["area_code"] == area


async def test_a_county_admin_may_not_create_an_administrator(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await post_user(
        gateway, tokens.county_admin(), username="boss", role="administrator", area_code=COUNTY
    )
    problem(answer, 403, "grant_not_allowed")


async def test_a_county_admin_may_not_create_a_province_viewer(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    """The role is never the county administrator's to grant, whatever the area."""
    answer = await post_user(
        gateway,
        tokens.county_admin(),
        username="sheng.kan",
        role="province_viewer",
        area_code=PROVINCE,
    )
    problem(answer, 403, "grant_not_allowed")


async def test_a_county_admin_may_not_grant_the_reveal_scope(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await post_user(
        gateway,
        tokens.county_admin(),
        username="kan.quan",
        role="county_approver",
        area_code=COUNTY,
        scopes=[REVEAL],
    )
    problem(answer, 403, "grant_not_allowed")


async def test_a_county_admin_may_not_add_the_reveal_scope_later(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    user = await create_user_ok(
        gateway, tokens.county_admin(), username="hou.lai", role="county_approver", area_code=COUNTY
    )
    answer = await gateway.patch(
        f"{USERS}/{user['id']}",
        json={"scopes": [REVEAL]},
        headers=if_match(tokens.county_admin(), 1),
    )
    problem(answer, 403, "grant_not_allowed")
    promoted = await gateway.patch(
        f"{USERS}/{user['id']}",
        json={"role": "administrator"},
        headers=if_match(tokens.county_admin(), 1),
    )
    problem(promoted, 403, "grant_not_allowed")
    after = await gateway.get(f"{USERS}/{user['id']}", headers=tokens.county_admin())
    assert after.json()["scopes"] == [] and after.json()["version"] == 1


async def test_an_administrator_may_grant_the_reveal_scope(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    body = await create_user_ok(
        gateway,
        tokens.administrator(),
        username="zhang.shen",
        role="county_approver",
        area_code=COUNTY,
        scopes=[REVEAL, REVEAL],
    )
    assert body["scopes"] == [REVEAL]


@pytest.mark.parametrize("scope", ["personal_data:everything", "internal"])
async def test_an_unknown_or_ungrantable_scope_is_422(
    gateway: AsyncClient, tokens: TokenFactory, scope: str
) -> None:
    answer = await post_user(
        gateway,
        tokens.administrator(),
        username="odd.scope",
        role="county_approver",
        area_code=COUNTY,
        scopes=[scope],
    )
    body = problem(answer, 422, "validation_failed", "scope_unknown")
    assert body["fields"][0]["field"] == "body.scopes"


@pytest.mark.parametrize(
    ("role", "area"), [("county_approver", VILLAGE), ("village_officer", COUNTY)]
)
async def test_a_role_bound_to_an_area_of_the_wrong_level_is_422(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory, role: str, area: str
) -> None:
    await add_township_and_village(apps["gateway"])
    answer = await post_user(
        gateway, tokens.county_admin(), username="wrong.level", role=role, area_code=area
    )
    body = problem(answer, 422, "validation_failed", "role_area_mismatch")
    assert body["fields"][0]["field"] == "body.area_code"


@pytest.mark.parametrize(
    ("role", "area"), [("county_approver", OTHER_COUNTY), ("village_officer", OTHER_VILLAGE)]
)
async def test_an_area_outside_the_callers_county_is_422(
    gateway: AsyncClient, tokens: TokenFactory, role: str, area: str
) -> None:
    answer = await post_user(
        gateway, tokens.county_admin(), username="far.away", role=role, area_code=area
    )
    problem(answer, 422, "validation_failed", "area_out_of_scope")


async def test_moving_a_user_out_of_the_county_is_422(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    user = await create_user_ok(
        gateway, tokens.county_admin(), username="ban.jia", role="county_approver", area_code=COUNTY
    )
    answer = await gateway.patch(
        f"{USERS}/{user['id']}",
        json={"area_code": OTHER_COUNTY},
        headers=if_match(tokens.county_admin(), 1),
    )
    problem(answer, 422, "validation_failed", "area_out_of_scope")


async def test_an_area_missing_from_the_registry_is_422(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await post_user(
        gateway,
        tokens.county_admin(),
        username="ghost.town",
        role="village_officer",
        area_code="411424999000",
    )
    problem(answer, 422, "validation_failed", "area_unknown")


@pytest.mark.parametrize("area", ["410000001000", "41142400000", "41142400000x"])
async def test_a_malformed_area_code_is_422(
    gateway: AsyncClient, tokens: TokenFactory, area: str
) -> None:
    answer = await post_user(
        gateway, tokens.administrator(), username="bad.code", role="county_approver", area_code=area
    )
    body = problem(answer, 422, "validation_failed")
    assert body["fields"][0]["field"] == "body.area_code"


async def test_a_county_admin_may_not_reactivate_an_account_holding_the_reveal_scope(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    """Switching such an account back on gives its scope back, which only an administrator
    may grant."""
    holder = await create_user_ok(
        gateway,
        tokens.administrator(),
        username="qin.shu",
        role="county_approver",
        area_code=COUNTY,
        scopes=[REVEAL],
    )
    off = await gateway.patch(
        f"{USERS}/{holder['id']}",
        json={"active": False},
        headers=if_match(tokens.administrator(), 1),
    )
    assert off.status_code == 200, off.text
    on = await gateway.patch(
        f"{USERS}/{holder['id']}", json={"active": True}, headers=if_match(tokens.county_admin(), 2)
    )
    problem(on, 403, "grant_not_allowed")
