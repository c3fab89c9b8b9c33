"""Every app verifies tokens itself: signature, key id, expiry, issuer, audience, claims."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from httpx import AsyncClient

from services.common.settings import DEV_SIGNING_KEY, DEV_SIGNING_KEY_ID
from tests.support.identities import COUNTY

DEV_KEY = load_pem_private_key(DEV_SIGNING_KEY.encode(), password=None)


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    base: dict[str, Any] = {
        "iss": "dixian-gateway",
        "aud": "dixian",
        "sub": "user:test",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "role": "county_admin",
        "area": COUNTY,
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def sign(payload: dict[str, Any], *, key: Any = DEV_KEY, kid: str = DEV_SIGNING_KEY_ID) -> str:
    return jwt.encode(payload, key, algorithm="EdDSA", headers={"kid": kid})


CASES = {
    "valid": (lambda: sign(claims()), 200, None),
    "expired": (
        lambda: sign(claims(exp=datetime.now(UTC) - timedelta(minutes=1))),
        401,
        "token_expired",
    ),
    "unknown key id": (lambda: sign(claims(), kid="retired-2020"), 401, "token_unknown_key"),
    "forged signature": (
        lambda: sign(claims(), key=Ed25519PrivateKey.generate()),
        401,
        "token_invalid",
    ),
    "wrong audience": (lambda: sign(claims(aud="someone-else")), 401, "token_invalid"),
    "wrong issuer": (lambda: sign(claims(iss="evil")), 401, "token_invalid"),
    "no expiry": (lambda: sign(claims(exp=None)), 401, "token_invalid"),
    "unknown role": (lambda: sign(claims(role="emperor")), 401, "token_invalid"),
    "malformed area": (lambda: sign(claims(area="4114")), 401, "token_invalid"),
    "garbage": (lambda: "not.a.token", 401, "token_invalid"),
    "hs256 with the public key": (
        lambda: jwt.encode(
            claims(),
            "a-shared-secret-of-at-least-32-bytes!",
            algorithm="HS256",
            headers={"kid": DEV_SIGNING_KEY_ID},
        ),
        401,
        "token_invalid",
    ),
}


@pytest.mark.parametrize("app_name", ["gateway", "monitoring", "funds", "employment"])
@pytest.mark.parametrize("case", list(CASES))
async def test_each_app_checks_tokens(
    client_for: Callable[[str], AsyncClient], app_name: str, case: str
) -> None:
    make_token, status, code = CASES[case]
    async with client_for(app_name) as client:
        answer = await client.get(
            "/api/v1/changes", headers={"Authorization": f"Bearer {make_token()}"}
        )
    assert answer.status_code == status, answer.text
    if code:
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == code
        assert answer.headers["www-authenticate"] == "Bearer"


async def test_missing_token(client_for: Callable[[str], AsyncClient]) -> None:
    async with client_for("funds") as client:
        answer = await client.get("/api/v1/changes")
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_missing"
