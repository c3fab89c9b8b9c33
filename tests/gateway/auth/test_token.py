"""The token endpoint: both grants, lockout, disabled accounts, and what the apps accept."""

from __future__ import annotations

import base64

import jwt
from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.support.factories import create_client, create_user
from tests.support.identities import COUNTY, PROVINCE

TOKEN = "/api/v1/auth/token"


async def test_password_grant_issues_a_token_the_services_accept(
    gateway: AsyncClient, apps: dict[str, FastAPI]
) -> None:
    await create_user(
        apps["gateway"],
        username="wang.fang",
        password="correct horse 1",
        role="county_approver",
        area_code=COUNTY,
    )
    answer = await gateway.post(
        TOKEN,
        data={"grant_type": "password", "username": "Wang.Fang", "password": "correct horse 1"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["role"] == "county_approver" and claims["area"] == COUNTY
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "EdDSA"

    me = await gateway.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["area_level"] == "county"
    # A service verifies the same token by itself, through the gateway's routing.
    feed = await gateway.get(
        "/api/v1/monitoring/changes", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert feed.status_code == 200, feed.text


async def test_client_credentials_grant_in_form_and_basic(
    gateway: AsyncClient, apps: dict[str, FastAPI]
) -> None:
    await create_client(
        apps["gateway"],
        client_id="henan-platform",
        secret="s3cret-value-123",
        role="province_system",
        area_code=PROVINCE,
    )
    form = await gateway.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": "henan-platform",
            "client_secret": "s3cret-value-123",
        },
    )
    assert form.status_code == 200, form.text
    basic = base64.b64encode(b"henan-platform:s3cret-value-123").decode()
    header = await gateway.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert header.status_code == 200
    claims = jwt.decode(header.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "client:henan-platform" and claims["role"] == "province_system"

    wrong = await gateway.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": "henan-platform",
            "client_secret": "nope",
        },
    )
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_client"


async def test_wrong_password_and_unknown_user_answer_alike(
    gateway: AsyncClient, apps: dict[str, FastAPI]
) -> None:
    await create_user(
        apps["gateway"],
        username="li.na",
        password="correct horse 1",
        role="county_admin",
        area_code=COUNTY,
    )
    wrong = await gateway.post(
        TOKEN, data={"grant_type": "password", "username": "li.na", "password": "bad"}
    )
    unknown = await gateway.post(
        TOKEN, data={"grant_type": "password", "username": "nobody", "password": "bad"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid_credentials"
    assert wrong.headers["content-type"] == "application/problem+json"


async def test_lockout_after_repeated_failures_even_with_the_right_password(
    gateway: AsyncClient, apps: dict[str, FastAPI]
) -> None:
    await create_user(
        apps["gateway"],
        username="zhao.lei",
        password="correct horse 1",
        role="county_admin",
        area_code=COUNTY,
    )
    for _ in range(5):
        failed = await gateway.post(
            TOKEN, data={"grant_type": "password", "username": "zhao.lei", "password": "guess"}
        )
        assert failed.json()["code"] == "invalid_credentials"
    locked = await gateway.post(
        TOKEN,
        data={"grant_type": "password", "username": "zhao.lei", "password": "correct horse 1"},
    )
    assert locked.status_code == 401
    assert locked.json()["code"] == "account_locked"
    assert "locked_until" in locked.json()


async def test_failures_below_the_threshold_are_forgotten_after_a_success(
    gateway: AsyncClient, apps: dict[str, FastAPI]
) -> None:
    await create_user(
        apps["gateway"],
        username="sun.li",
        password="correct horse 1",
        role="county_admin",
        area_code=COUNTY,
    )
    for _ in range(4):
        await gateway.post(
            TOKEN, data={"grant_type": "password", "username": "sun.li", "password": "guess"}
        )
    ok = await gateway.post(
        TOKEN, data={"grant_type": "password", "username": "sun.li", "password": "correct horse 1"}
    )
    assert ok.status_code == 200
    for _ in range(4):
        await gateway.post(
            TOKEN, data={"grant_type": "password", "username": "sun.li", "password": "guess"}
        )
    still_ok = await gateway.post(
        TOKEN, data={"grant_type": "password", "username": "sun.li", "password": "correct horse 1"}
    )
    assert still_ok.status_code == 200


async def test_disabled_account_cannot_sign_in(
    gateway: AsyncClient, apps: dict[str, FastAPI]
) -> None:
    await create_user(
        apps["gateway"],
        username="qian.bo",
        password="correct horse 1",
        role="county_admin",
        area_code=COUNTY,
        active=False,
    )
    answer = await gateway.post(
        TOKEN, data={"grant_type": "password", "username": "qian.bo", "password": "correct horse 1"}
    )
    assert answer.status_code == 401


async def test_bad_grant_requests_name_the_field(gateway: AsyncClient) -> None:
    unknown_grant = await gateway.post(TOKEN, data={"grant_type": "implicit"})
    assert unknown_grant.status_code == 422
    assert unknown_grant.json()["fields"][0]["field"] == "body.grant_type"
    missing = await gateway.post(TOKEN, data={"grant_type": "password", "username": "x"})
    assert missing.status_code == 422
    assert {f["field"] for f in missing.json()["fields"]} == {"body.username", "body.password"}


async def test_jwks_publishes_the_verification_key(gateway: AsyncClient, tokens: object) -> None:
    keys = (await gateway.get("/api/v1/auth/jwks")).json()["keys"]
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519" and keys[0]["kid"] == "dev-2026"
    token = tokens.token(Role.COUNTY_ADMIN, COUNTY)  # type: ignore[attr-defined]
    jwk = jwt.PyJWK(keys[0])
    claims = jwt.decode(token, jwk.key, algorithms=["EdDSA"], audience="dixian")
    assert claims["area"] == COUNTY
