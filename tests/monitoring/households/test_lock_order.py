"""Every writer locks a household before its members: leave, move, a head's renaming, a
change of head, and a field-sync batch, which locks the households of its operations' members
first. So none of them waits holding a member that another waits for: each that finds the
household locked waits for it with its members still free, then goes through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from services.common.settings import CommonSettings
from tests.monitoring.households.support import member, posting, register
from tests.monitoring.sync.support import update_member
from tests.support.identities import TokenFactory

# method, path, body, extra headers; from the household and the other household.
Write = Callable[[dict[str, Any], dict[str, Any]], tuple[str, str, dict[str, Any], dict[str, str]]]


def _named(household: dict[str, Any], relationship: str) -> str:
    return next(m["id"] for m in household["members"] if m["relationship"] == relationship)


WRITES: dict[str, Write] = {
    "leave": lambda ours, _: (
        "POST",
        f"/api/v1/members/{_named(ours, 'son')}/leave",
        {"left_on": "2026-10-01", "reason": "moved_out"},
        {},
    ),
    "move": lambda ours, theirs: (
        "POST",
        f"/api/v1/members/{_named(ours, 'son')}/move",
        {"to_household_id": theirs["id"], "relationship": "son", "reason": "分户"},
        {},
    ),
    "rename the head": lambda ours, _: (
        "PATCH",
        f"/api/v1/members/{_named(ours, 'head')}",
        {"name": "王建华"},
        {"If-Match": "1"},
    ),
    "change the head": lambda ours, _: (
        "POST",
        f"/api/v1/households/{ours['id']}/head",
        {"member_id": _named(ours, "son"), "former_head_relationship": "parent"},
        {"If-Match": str(ours["version"])},
    ),
    "a field-sync batch": lambda ours, _: (
        "POST",
        "/api/v1/sync/push",
        {"operations": [update_member(_named(ours, "son"), 1, work_place=(None, "浙江宁波"))]},
        {},
    ),
}
LOCKED_MEMBER = {write: "son" for write in WRITES} | {"rename the head": "head"}


@dataclass
class Scene:
    """Two households registered through the app (committed), an officer's client, and an
    owner's engine for the connections that hold and probe locks beside the app's."""

    client: httpx.AsyncClient
    officer: dict[str, str]
    engine: AsyncEngine
    ours: dict[str, Any]
    theirs: dict[str, Any]

    async def hold_ours(self, holder: AsyncConnection) -> None:
        query = text("SELECT 1 FROM households WHERE id = :id FOR UPDATE")
        await holder.execute(query, {"id": self.ours["id"]})


@asynccontextmanager
async def scene(
    app: FastAPI, tokens: TokenFactory, settings: CommonSettings
) -> AsyncIterator[Scene]:
    officer = tokens.village_officer()
    engine = create_async_engine(settings.service_database_url("monitoring"))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
            ours = await register(client, officer)
            theirs = await register(client, officer, kind="ordinary", members=[member()])
            yield Scene(client, officer, engine, ours, theirs)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("write", WRITES)
async def test_a_member_write_waits_for_the_household_with_the_member_free(
    write: str, committing_apps: dict[str, FastAPI], tokens: TokenFactory, settings: CommonSettings
) -> None:
    async with scene(committing_apps["monitoring"], tokens, settings) as at:
        method, path, body, headers = WRITES[write](at.ours, at.theirs)
        member_id = _named(at.ours, LOCKED_MEMBER[write])
        async with at.engine.connect() as holder, at.engine.connect() as prober:
            await at.hold_ours(holder)
            request = asyncio.create_task(
                at.client.request(
                    method, path, json=body, headers={**posting(at.officer), **headers}
                )
            )
            await _until_a_request_waits_for_a_lock(prober)
            free = await prober.execute(
                text("SELECT 1 FROM members WHERE id = :id FOR UPDATE NOWAIT"), {"id": member_id}
            )
            assert free.scalar() == 1  # NOWAIT raises if the request held the member
            await prober.rollback()
            await holder.rollback()
            answer = await request
    assert answer.status_code == 200, answer.text


async def _until_a_request_waits_for_a_lock(connection: AsyncConnection) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(200):
        if await connection.scalar(waiting):
            await connection.rollback()
            return
        await connection.rollback()
        await asyncio.sleep(0.05)
    raise AssertionError("the request never waited for the household")


async def test_a_member_moved_while_its_household_was_awaited_is_found_where_it_went(
    committing_apps: dict[str, FastAPI], tokens: TokenFactory, settings: CommonSettings
) -> None:
    async with scene(committing_apps["monitoring"], tokens, settings) as at:
        son = _named(at.ours, "son")
        async with at.engine.connect() as holder:
            await at.hold_ours(holder)
            request = asyncio.create_task(
                at.client.post(
                    f"/api/v1/members/{son}/leave",
                    json={"left_on": "2026-10-01", "reason": "moved_out"},
                    headers=posting(at.officer),
                )
            )
            async with at.engine.connect() as prober:
                await _until_a_request_waits_for_a_lock(prober)
            # Meanwhile the son goes to the other household (as a move would, in short).
            await holder.execute(
                text("UPDATE members SET household_id = :to WHERE id = :id"),
                {"to": at.theirs["id"], "id": son},
            )
            await holder.commit()
            answer = await request
    assert answer.status_code == 200, answer.text
    assert answer.json()["household_id"] == at.theirs["id"]
    assert answer.json()["active"] is False
