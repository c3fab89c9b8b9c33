"""Updates carry the version they are based on: If-Match missing 428, stale 412 with current."""

from __future__ import annotations

import uuid

from httpx import AsyncClient

from tests.support.identities import COUNTY, TokenFactory


async def create(gateway: AsyncClient, tokens: TokenFactory) -> dict[str, object]:
    answer = await gateway.post(
        "/api/v1/users",
        json={
            "username": "chen.jing",
            "display_name": "陈静",
            "role": "county_approver",
            "area_code": COUNTY,
        },
        headers={**tokens.administrator(), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert answer.status_code == 201
    assert answer.headers["etag"] == '"1"'
    return answer.json()  # type: ignore[no-any-return]


async def test_update_with_current_version(gateway: AsyncClient, tokens: TokenFactory) -> None:
    user = await create(gateway, tokens)
    answer = await gateway.patch(
        f"/api/v1/users/{user['id']}",
        json={"display_name": "陈 静"},
        headers={**tokens.administrator(), "If-Match": '"1"'},
    )
    assert answer.status_code == 200
    assert answer.json()["version"] == 2 and answer.json()["display_name"] == "陈 静"
    assert answer.headers["etag"] == '"2"'


async def test_missing_if_match_is_428(gateway: AsyncClient, tokens: TokenFactory) -> None:
    user = await create(gateway, tokens)
    answer = await gateway.patch(
        f"/api/v1/users/{user['id']}", json={"display_name": "x"}, headers=tokens.administrator()
    )
    assert answer.status_code == 428
    assert answer.json()["code"] == "precondition_required"


async def test_stale_version_is_412_with_the_current_record(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    user = await create(gateway, tokens)
    first = await gateway.patch(
        f"/api/v1/users/{user['id']}",
        json={"display_name": "first"},
        headers={**tokens.administrator(), "If-Match": "1"},
    )
    assert first.status_code == 200
    stale = await gateway.patch(
        f"/api/v1/users/{user['id']}",
        json={"display_name": "second"},
        headers={**tokens.administrator(), "If-Match": "1"},
    )
    assert stale.status_code == 412
    body = stale.json()
    assert body["code"] == "version_mismatch"
    assert body["current"]["version"] == 2 and body["current"]["display_name"] == "first"
    assert stale.headers["etag"] == '"2"'


async def test_if_match_must_be_a_version(gateway: AsyncClient, tokens: TokenFactory) -> None:
    user = await create(gateway, tokens)
    answer = await gateway.patch(
        f"/api/v1/users/{user['id']}",
        json={"display_name": "x"},
        headers={**tokens.administrator(), "If-Match": "abc"},
    )
    assert answer.status_code == 422
    assert answer.json()["fields"][0]["field"] == "header.If-Match"
