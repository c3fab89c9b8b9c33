"""Managing machine clients: rotating the secret, switching a client off, listing page by page."""

from __future__ import annotations

from httpx import AsyncClient

from tests.gateway.users.support import (
    CLIENTS,
    client_sign_in,
    create_client_ok,
    idempotent,
    if_match,
    problem,
)
from tests.support.identities import COUNTY, OTHER_COUNTY, TokenFactory


async def _feed(gateway: AsyncClient, tokens: TokenFactory, client_id: str) -> dict[str, object]:
    return await create_client_ok(
        gateway,
        tokens.county_admin(),
        client_id=client_id,
        role="department_feed",
        area_code=COUNTY,
    )


async def test_rotating_the_secret_retires_the_old_one(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    feed = await _feed(gateway, tokens, "zhecheng-civil")
    answer = await gateway.post(
        f"{CLIENTS}/{feed['id']}/secret", headers=idempotent(tokens.county_admin())
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["version"] == 2 and body["client_secret"] != feed["client_secret"]

    old = await client_sign_in(gateway, "zhecheng-civil", str(feed["client_secret"]))
    problem(old, 401, "invalid_client")
    assert (
        await client_sign_in(gateway, "zhecheng-civil", body["client_secret"])
    ).status_code == 200


async def test_a_deactivated_client_cannot_sign_in(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    feed = await _feed(gateway, tokens, "zhecheng-health")
    answer = await gateway.patch(
        f"{CLIENTS}/{feed['id']}",
        json={"active": False},
        headers=if_match(tokens.county_admin(), 1),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["ETag"] == '"2"'
    assert answer.json()["active"] is False and answer.json()["version"] == 2
    refused = await client_sign_in(gateway, "zhecheng-health", str(feed["client_secret"]))
    problem(refused, 401, "invalid_client")


async def test_patch_needs_if_match_and_no_nulls(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    feed = await _feed(gateway, tokens, "zhecheng-agri")
    missing = await gateway.patch(
        f"{CLIENTS}/{feed['id']}", json={"name": "农业农村局"}, headers=tokens.county_admin()
    )
    problem(missing, 428, "precondition_required")
    null = await gateway.patch(
        f"{CLIENTS}/{feed['id']}", json={"name": None}, headers=if_match(tokens.county_admin(), 1)
    )
    problem(null, 422, "validation_failed", "not_null")
    renamed = await gateway.patch(
        f"{CLIENTS}/{feed['id']}",
        json={"name": "农业农村局"},
        headers=if_match(tokens.county_admin(), 1),
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "农业农村局"


async def test_list_in_scope_page_by_page(gateway: AsyncClient, tokens: TokenFactory) -> None:
    for client_id in ("feed-c", "feed-a", "feed-b"):
        await _feed(gateway, tokens, client_id)
    await create_client_ok(
        gateway,
        tokens.other_county_admin(),
        client_id="feed-0",
        role="department_feed",
        area_code=OTHER_COUNTY,
    )
    first = await gateway.get(CLIENTS, params={"limit": 2}, headers=tokens.county_admin())
    assert first.status_code == 200, first.text
    assert [client["client_id"] for client in first.json()["items"]] == ["feed-a", "feed-b"]
    assert first.json()["next_cursor"]
    assert all("client_secret" not in client for client in first.json()["items"])

    second = await gateway.get(
        CLIENTS,
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
        headers=tokens.county_admin(),
    )
    assert [client["client_id"] for client in second.json()["items"]] == ["feed-c"]
    assert second.json()["next_cursor"] is None


async def test_a_county_admin_cannot_rotate_the_secret_of_a_feed_holding_the_reveal_scope(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    """Reading a fresh secret of a client with personal_data:reveal hands out the scope the
    county administrator may not grant."""
    feed = await create_client_ok(
        gateway,
        tokens.administrator(),
        client_id="zhecheng-police",
        role="department_feed",
        area_code=COUNTY,
        scopes=["personal_data:reveal"],
    )
    answer = await gateway.post(
        f"{CLIENTS}/{feed['id']}/secret", headers=idempotent(tokens.county_admin())
    )
    problem(answer, 403, "grant_not_allowed")
    assert (
        await client_sign_in(gateway, "zhecheng-police", feed["client_secret"])
    ).status_code == 200
