"""Creating a user: the answer, the one-time password, signing in, duplicates, idempotency."""

from __future__ import annotations

import jwt
from httpx import AsyncClient

from tests.gateway.users.support import (
    PASSWORD,
    USERS,
    create_user_ok,
    idempotent,
    post_user,
    problem,
    sign_in,
)
from tests.support.identities import COUNTY, TokenFactory


async def test_create_without_password_shows_a_generated_one_that_signs_in(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await post_user(
        gateway,
        tokens.county_admin(),
        username="li.ming",
        display_name="李明",
        role="county_approver",
        area_code=COUNTY,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert answer.headers["Location"] == f"{USERS}/{body['id']}"
    assert answer.headers["ETag"] == '"1"'
    assert body["version"] == 1 and body["active"] is True and body["locked_until"] is None
    assert body["role"] == "county_approver" and body["area_code"] == COUNTY
    assert body["scopes"] == []
    assert "password" not in body and "password_hash" not in body
    generated = body["initial_password"]
    assert isinstance(generated, str) and len(generated) >= 12

    signed_in = await sign_in(gateway, "li.ming", generated)
    assert signed_in.status_code == 200, signed_in.text
    claims = jwt.decode(signed_in.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == f"user:{body['id']}"
    assert claims["role"] == "county_approver" and claims["area"] == COUNTY


async def test_create_with_a_password_shows_none_and_that_one_signs_in(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    body = await create_user_ok(
        gateway,
        tokens.administrator(),
        username="zhou.hua",
        display_name="周华",
        role="county_admin",
        area_code=COUNTY,
        password=PASSWORD,
    )
    assert body["username"] == "zhou.hua"
    assert body.get("initial_password") is None
    assert (await sign_in(gateway, "zhou.hua", PASSWORD)).status_code == 200
    assert (await sign_in(gateway, "zhou.hua", "something else")).status_code == 401


async def test_the_created_user_can_be_read_back(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    created = await create_user_ok(
        gateway, tokens.county_admin(), username="he.jun", role="county_approver", area_code=COUNTY
    )
    answer = await gateway.get(f"{USERS}/{created['id']}", headers=tokens.county_admin())
    assert answer.status_code == 200, answer.text
    assert answer.headers["ETag"] == '"1"'
    body = answer.json()
    assert body["username"] == "he.jun" and body["version"] == 1
    assert "initial_password" not in body


async def test_a_mixed_case_username_is_kept_in_lower_case(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    body = await create_user_ok(
        gateway,
        tokens.county_admin(),
        username="Wang.Fang",
        role="county_approver",
        area_code=COUNTY,
        password=PASSWORD,
    )
    assert body["username"] == "wang.fang"
    assert (await sign_in(gateway, "Wang.Fang", PASSWORD)).status_code == 200


async def test_a_username_is_taken_whatever_its_case(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    await create_user_ok(
        gateway,
        tokens.county_admin(),
        username="wang.fang",
        role="county_approver",
        area_code=COUNTY,
    )
    again = await post_user(
        gateway,
        tokens.county_admin(),
        username="Wang.Fang",
        role="county_approver",
        area_code=COUNTY,
    )
    problem(again, 409, "username_taken")


async def test_a_short_password_is_refused(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await post_user(
        gateway,
        tokens.county_admin(),
        username="short.pw",
        role="county_approver",
        area_code=COUNTY,
        password="123",
    )
    body = problem(answer, 422, "validation_failed")
    assert body["fields"][0]["field"] == "body.password"


async def test_create_needs_an_idempotency_key(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await gateway.post(
        USERS,
        json={
            "username": "no.key",
            "display_name": "x",
            "role": "county_approver",
            "area_code": COUNTY,
        },
        headers=tokens.county_admin(),
    )
    body = problem(answer, 422, "validation_failed")
    assert any("Idempotency-Key" in field["field"] for field in body["fields"]), body


async def test_a_retried_create_replays_the_first_answer(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    headers = idempotent(tokens.county_admin())
    payload = {
        "username": "retry.me",
        "display_name": "重试",
        "role": "county_approver",
        "area_code": COUNTY,
    }
    first = await gateway.post(USERS, json=payload, headers=headers)
    second = await gateway.post(USERS, json=payload, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["Location"] == first.headers["Location"]
    listed = await gateway.get(USERS, headers=tokens.county_admin())
    assert [user["username"] for user in listed.json()["items"]] == ["retry.me"]
