"""Listing users page by page within the caller's county, and changing a user with If-Match."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from tests.gateway.users.support import (
    USERS,
    add_township_and_village,
    create_user_ok,
    if_match,
    problem,
)
from tests.support.identities import (
    COUNTY,
    OTHER_COUNTY,
    TOWNSHIP,
    VILLAGE,
    TokenFactory,
)


async def test_list_in_scope_page_by_page(gateway: AsyncClient, tokens: TokenFactory) -> None:
    for username in ("chen.c", "an.a", "bai.b"):
        await create_user_ok(
            gateway,
            tokens.county_admin(),
            username=username,
            role="county_approver",
            area_code=COUNTY,
        )
    await create_user_ok(
        gateway,
        tokens.other_county_admin(),
        username="ai.other",
        role="county_approver",
        area_code=OTHER_COUNTY,
    )

    first = await gateway.get(USERS, params={"limit": 2}, headers=tokens.county_admin())
    assert first.status_code == 200, first.text
    page = first.json()
    assert [user["username"] for user in page["items"]] == ["an.a", "bai.b"]
    assert page["next_cursor"]

    second = await gateway.get(
        USERS, params={"limit": 2, "cursor": page["next_cursor"]}, headers=tokens.county_admin()
    )
    assert second.status_code == 200, second.text
    assert [user["username"] for user in second.json()["items"]] == ["chen.c"]
    assert second.json()["next_cursor"] is None


async def test_a_county_admin_does_not_list_another_countys_users(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    await create_user_ok(
        gateway,
        tokens.county_admin(),
        username="mine.one",
        role="county_approver",
        area_code=COUNTY,
    )
    await create_user_ok(
        gateway,
        tokens.other_county_admin(),
        username="theirs.one",
        role="county_approver",
        area_code=OTHER_COUNTY,
    )
    mine = await gateway.get(USERS, headers=tokens.county_admin())
    theirs = await gateway.get(USERS, headers=tokens.other_county_admin())
    assert [user["username"] for user in mine.json()["items"]] == ["mine.one"]
    assert [user["username"] for user in theirs.json()["items"]] == ["theirs.one"]
    everyone = await gateway.get(USERS, params={"limit": 500}, headers=tokens.administrator())
    names = {user["username"] for user in everyone.json()["items"]}
    assert {"mine.one", "theirs.one"} <= names


async def test_a_bad_cursor_is_422(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await gateway.get(
        USERS, params={"cursor": "not-a-cursor"}, headers=tokens.county_admin()
    )
    problem(answer, 422, "validation_failed", "cursor_invalid")


async def test_patch_display_name(gateway: AsyncClient, tokens: TokenFactory) -> None:
    user = await create_user_ok(
        gateway,
        tokens.county_admin(),
        username="liu.yang",
        role="county_approver",
        area_code=COUNTY,
    )
    answer = await gateway.patch(
        f"{USERS}/{user['id']}",
        json={"display_name": "刘洋"},
        headers=if_match(tokens.county_admin(), 1),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["ETag"] == '"2"'
    body = answer.json()
    assert body["display_name"] == "刘洋" and body["version"] == 2
    assert body["role"] == "county_approver" and body["area_code"] == COUNTY


async def test_patch_role_and_area_together(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    await add_township_and_village(apps["gateway"])
    user = await create_user_ok(
        gateway,
        tokens.county_admin(),
        username="xu.qiang",
        role="village_officer",
        area_code=VILLAGE,
    )
    answer = await gateway.patch(
        f"{USERS}/{user['id']}",
        json={"role": "township_reviewer", "area_code": TOWNSHIP},
        headers=if_match(tokens.county_admin(), 1),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["role"] == "township_reviewer" and body["area_code"] == TOWNSHIP
    assert body["version"] == 2
    again = await gateway.get(f"{USERS}/{user['id']}", headers=tokens.county_admin())
    assert again.json()["role"] == "township_reviewer" and again.headers["ETag"] == '"2"'


async def test_patch_a_role_that_does_not_fit_the_current_area(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    await add_township_and_village(apps["gateway"])
    user = await create_user_ok(
        gateway, tokens.county_admin(), username="ma.li", role="village_officer", area_code=VILLAGE
    )
    answer = await gateway.patch(
        f"{USERS}/{user['id']}",
        json={"role": "county_approver"},
        headers=if_match(tokens.county_admin(), 1),
    )
    problem(answer, 422, "validation_failed", "role_area_mismatch")


async def test_patch_null_is_refused(gateway: AsyncClient, tokens: TokenFactory) -> None:
    user = await create_user_ok(
        gateway, tokens.county_admin(), username="gao.yu", role="county_approver", area_code=COUNTY
    )
    answer = await gateway.patch(
        f"{USERS}/{user['id']}",
        json={"display_name": None},
        headers=if_match(tokens.county_admin(), 1),
    )
    body = problem(answer, 422, "validation_failed", "not_null")
    assert body["fields"][0]["field"] == "body.display_name"
    unchanged = await gateway.get(f"{USERS}/{user['id']}", headers=tokens.county_admin())
    assert unchanged.json()["display_name"] == "gao.yu" and unchanged.json()["version"] == 1


async def test_deactivated_user_cannot_sign_in(gateway: AsyncClient, tokens: TokenFactory) -> None:
    user = await create_user_ok(
        gateway, tokens.county_admin(), username="tian.ye", role="county_approver", area_code=COUNTY
    )
    answer = await gateway.patch(
        f"{USERS}/{user['id']}", json={"active": False}, headers=if_match(tokens.county_admin(), 1)
    )
    assert answer.status_code == 200 and answer.json()["active"] is False
    signed_in = await gateway.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "password",
            "username": "tian.ye",
            "password": user["initial_password"],
        },
    )
    problem(signed_in, 401, "invalid_credentials")
