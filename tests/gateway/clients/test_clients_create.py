"""Creating a machine client: the one-time secret, signing in with it, and who may create what."""

from __future__ import annotations

import jwt
from httpx import AsyncClient

from tests.gateway.users.support import (
    CLIENTS,
    client_sign_in,
    create_client_ok,
    post_client,
    problem,
)
from tests.support.identities import COUNTY, PROVINCE, TokenFactory

REVEAL = "personal_data:reveal"


async def test_an_administrator_creates_a_province_system_that_signs_in(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await post_client(
        gateway,
        tokens.administrator(),
        client_id="henan-platform",
        name="河南省防返贫监测平台",
        role="province_system",
        area_code=PROVINCE,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert answer.headers["Location"] == f"{CLIENTS}/{body['id']}"
    assert answer.headers["ETag"] == '"1"'
    assert body["client_id"] == "henan-platform" and body["role"] == "province_system"
    assert body["area_code"] == PROVINCE and body["active"] is True and body["version"] == 1
    secret = body["client_secret"]
    assert isinstance(secret, str) and len(secret) >= 32

    signed_in = await client_sign_in(gateway, "henan-platform", secret)
    assert signed_in.status_code == 200, signed_in.text
    claims = jwt.decode(signed_in.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "client:henan-platform"
    assert claims["role"] == "province_system" and claims["area"] == PROVINCE

    read = await gateway.get(f"{CLIENTS}/{body['id']}", headers=tokens.administrator())
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'
    assert "client_secret" not in read.json() and "secret_hash" not in read.json()


async def test_a_person_role_is_not_for_machines(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await post_client(
        gateway,
        tokens.administrator(),
        client_id="robot.officer",
        role="village_officer",
        area_code=COUNTY,
    )
    body = problem(answer, 422, "validation_failed", "role_not_for_machines")
    assert body["fields"][0]["field"] == "body.role"


async def test_a_county_admin_creates_a_department_feed_for_its_county(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    body = await create_client_ok(
        gateway,
        tokens.county_admin(),
        client_id="zhecheng-hrss",
        name="柘城县人社局",
        role="department_feed",
        area_code=COUNTY,
    )
    assert body["role"] == "department_feed" and body["area_code"] == COUNTY
    assert (
        await client_sign_in(gateway, "zhecheng-hrss", body["client_secret"])
    ).status_code == 200


async def test_a_county_admin_may_not_create_a_province_system(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await post_client(
        gateway,
        tokens.county_admin(),
        client_id="sneaky-platform",
        role="province_system",
        area_code=PROVINCE,
    )
    problem(answer, 403, "grant_not_allowed")


async def test_a_county_admin_may_not_give_a_feed_the_reveal_scope(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await post_client(
        gateway,
        tokens.county_admin(),
        client_id="curious-feed",
        role="department_feed",
        area_code=COUNTY,
        scopes=[REVEAL],
    )
    problem(answer, 403, "grant_not_allowed")


async def test_a_feed_of_another_county_is_out_of_scope(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await post_client(
        gateway,
        tokens.other_county_admin(),
        client_id="far-feed",
        role="department_feed",
        area_code=COUNTY,
    )
    problem(answer, 422, "validation_failed", "area_out_of_scope")


async def test_a_duplicate_client_id_is_409(gateway: AsyncClient, tokens: TokenFactory) -> None:
    await create_client_ok(
        gateway,
        tokens.county_admin(),
        client_id="zhecheng-edu",
        role="department_feed",
        area_code=COUNTY,
    )
    again = await post_client(
        gateway,
        tokens.administrator(),
        client_id="zhecheng-edu",
        role="province_system",
        area_code=PROVINCE,
    )
    problem(again, 409, "client_id_taken")


async def test_a_client_id_is_case_insensitive_like_a_username(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    """Creation folds the client id to lower case, so the id as the operator typed it must
    still sign in (as a username does)."""
    body = await create_client_ok(
        gateway,
        tokens.administrator(),
        client_id="Henan-Platform",
        role="province_system",
        area_code=PROVINCE,
    )
    assert body["client_id"] == "henan-platform"
    signed_in = await client_sign_in(gateway, "Henan-Platform", body["client_secret"])
    assert signed_in.status_code == 200, signed_in.text
