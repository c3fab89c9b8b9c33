"""The change feed: scoped by area, paged by cursor, and never skipping a change that commits
after a later-numbered one."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.changes import record_change
from services.common.database import Database
from tests.support.identities import COUNTY, OTHER_COUNTY, TokenFactory


async def create_user(client: AsyncClient, tokens: TokenFactory, username: str, area: str) -> str:
    answer = await client.post(
        "/api/v1/users",
        json={
            "username": username,
            "display_name": username,
            "role": "county_approver",
            "area_code": area,
        },
        headers={**tokens.administrator(), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_feed_is_scoped_and_paged(
    committing_gateway: AsyncClient, tokens: TokenFactory
) -> None:
    mine = [
        await create_user(committing_gateway, tokens, f"feed.user{i}", COUNTY) for i in range(3)
    ]
    theirs = await create_user(committing_gateway, tokens, "feed.other", OTHER_COUNTY)

    seen: list[str] = []
    cursor = None
    for _ in range(5):
        params = {"limit": 2} | ({"after": cursor} if cursor else {})
        page = (
            await committing_gateway.get(
                "/api/v1/changes", params=params, headers=tokens.county_admin()
            )
        ).json()
        seen += [item["entity_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not page["items"]:
            break
    assert seen == mine
    assert theirs not in seen

    everything = (
        await committing_gateway.get("/api/v1/changes", headers=tokens.administrator())
    ).json()
    assert [item["entity_id"] for item in everything["items"]] == [*mine, theirs]
    assert (
        everything["items"][0]["operation"] == "create" and everything["items"][0]["version"] == 1
    )

    # Polling with the last cursor returns nothing new and keeps the cursor.
    again = (
        await committing_gateway.get(
            "/api/v1/changes", params={"after": cursor}, headers=tokens.county_admin()
        )
    ).json()
    assert again == {"items": [], "next_cursor": cursor}


async def test_a_late_commit_with_a_lower_number_is_not_skipped(
    committing_apps: dict[str, FastAPI], engines: dict[str, AsyncEngine], tokens: TokenFactory
) -> None:
    """T1 takes its sequence number first but commits last; a reader polling in between must
    still receive T1's change afterwards."""
    database = Database(engines["monitoring"])
    from httpx import ASGITransport

    client = AsyncClient(
        transport=ASGITransport(app=committing_apps["monitoring"]), base_url="http://m"
    )
    headers = tokens.administrator()
    async with database.sessionmaker() as slow, database.sessionmaker() as fast:
        await record_change(
            slow, entity="probe", entity_id="slow", operation="create", area_code=COUNTY, version=1
        )
        await record_change(
            fast, entity="probe", entity_id="fast", operation="create", area_code=COUNTY, version=1
        )
        await fast.commit()
        first = (await client.get("/api/v1/changes", headers=headers)).json()
        await slow.commit()
    second = (
        await client.get("/api/v1/changes", params={"after": first["next_cursor"]}, headers=headers)
    ).json()
    await client.aclose()
    delivered = [item["entity_id"] for item in first["items"] + second["items"]]
    assert sorted(delivered) == ["fast", "slow"]
    assert first["items"] == []  # held back while the older transaction was still open


async def test_bad_cursor_is_422(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await gateway.get(
        "/api/v1/changes", params={"after": "bm90LWEtY3Vyc29y"}, headers=tokens.administrator()
    )
    assert answer.status_code == 422
    assert answer.json()["fields"][0] == {
        "field": "query.cursor",
        "rule": "cursor_invalid",
        "message": "The cursor is not one this list handed out.",
    }


async def test_a_long_transaction_in_another_database_does_not_hold_the_feed(
    committing_apps: dict[str, FastAPI], engines: dict[str, AsyncEngine], tokens: TokenFactory
) -> None:
    from httpx import ASGITransport
    from sqlalchemy import text

    elsewhere = Database(engines["funds"])
    here = Database(engines["monitoring"])
    client = AsyncClient(
        transport=ASGITransport(app=committing_apps["monitoring"]), base_url="http://m"
    )
    async with elsewhere.sessionmaker() as long_import:
        await long_import.execute(text("SELECT pg_current_xact_id()"))  # holds an xid, open
        async with here.sessionmaker() as session:
            await record_change(
                session,
                entity="probe",
                entity_id="here",
                operation="create",
                area_code=COUNTY,
                version=1,
            )
            await session.commit()
        page = (await client.get("/api/v1/changes", headers=tokens.administrator())).json()
        await long_import.rollback()
    await client.aclose()
    assert [item["entity_id"] for item in page["items"]] == ["here"]
