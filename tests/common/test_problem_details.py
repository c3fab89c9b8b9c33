"""One error shape: problem+json with a stable code, and named fields for bad input."""

from __future__ import annotations

import uuid

from httpx import AsyncClient

from tests.support.identities import COUNTY, TokenFactory


def post_headers(tokens: TokenFactory) -> dict[str, str]:
    return {**tokens.administrator(), "Idempotency-Key": str(uuid.uuid4())}


async def test_malformed_json_names_the_body(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await gateway.post(
        "/api/v1/users",
        content=b'{"username": ',
        headers={**post_headers(tokens), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    body = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert body["code"] == "validation_failed"
    assert body["status"] == 422 and body["title"] == "Unprocessable Entity"
    assert body["fields"][0]["rule"] == "json_invalid"
    assert body["request_id"] == answer.headers["x-request-id"]


async def test_unknown_field_wrong_type_and_range(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await gateway.post(
        "/api/v1/users",
        json={
            "username": "ab",
            "display_name": 5,
            "role": "emperor",
            "area_code": COUNTY,
            "nickname": "x",
        },
        headers=post_headers(tokens),
    )
    assert answer.status_code == 422
    rules = {field["field"]: field["rule"] for field in answer.json()["fields"]}
    assert rules == {
        "body.username": "too_short",
        "body.display_name": "string_type",
        "body.role": "enum",
        "body.nickname": "extra_forbidden",
    }


async def test_query_out_of_range(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await gateway.get("/api/v1/users?limit=0", headers=tokens.administrator())
    assert answer.status_code == 422
    assert answer.json()["fields"][0] == {
        "field": "query.limit",
        "rule": "greater_than_equal",
        "message": "Input should be greater than or equal to 1",
    }


async def test_bad_cursor(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await gateway.get("/api/v1/users?cursor=%%%", headers=tokens.administrator())
    assert answer.status_code == 422
    assert answer.json()["fields"][0]["rule"] == "cursor_invalid"


async def test_unknown_route_and_method(gateway: AsyncClient, tokens: TokenFactory) -> None:
    missing = await gateway.get("/api/v1/nothing-here", headers=tokens.administrator())
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = await gateway.delete("/api/v1/users", headers=tokens.administrator())
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"


async def test_missing_idempotency_key_is_named(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await gateway.post(
        "/api/v1/users",
        json={"username": "abc", "display_name": "x", "role": "county_admin", "area_code": COUNTY},
        headers=tokens.administrator(),
    )
    assert answer.status_code == 422
    assert answer.json()["fields"][0]["field"] == "header.Idempotency-Key"


async def test_a_forged_cursor_with_control_characters_is_422(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    from services.common.pagination import encode_cursor

    answer = await gateway.get(
        "/api/v1/users", params={"cursor": encode_cursor(["\x00"])}, headers=tokens.administrator()
    )
    assert answer.status_code == 422
    assert answer.json()["fields"][0]["rule"] == "cursor_invalid"


async def test_an_oversized_body_is_413_without_reading_it_all(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    big = b"[" + b"1," * (9 * 1024 * 1024) + b"1]"
    answer = await gateway.post(
        "/api/v1/users",
        content=big,
        headers={**post_headers(tokens), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "body_too_large"
