"""A batch resent while the first push of it is still running (the app gave up waiting): the
two pushes take turns, every operation is applied once, and the later push answers the stored
outcomes."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.monitoring.models import Household, SyncOperation, Visit
from tests.monitoring.sync.support import push, visit
from tests.support.identities import TokenFactory
from tests.support.monitoring import create_household

OPERATIONS = 30


async def test_a_batch_resent_during_its_first_push_applies_once(
    committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = committing_apps["monitoring"]
    household = await create_household(app)
    update = {
        "operation_id": "2" * 8 + "-0000-4000-8000-" + "0" * 12,
        "kind": "update_household",
        "household_id": str(household.id),
        "base_version": 1,
        "changes": {"address": {"base": household.address, "value": "三组9号"}},
    }
    batch = [visit(household.id, f"走访 {i}") for i in range(OPERATIONS)]
    batch.insert(OPERATIONS // 2, update)  # a row lock in the middle of visits' key locks
    officer = tokens.village_officer()

    async def send() -> list[dict[str, object]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
            return await push(client, officer, batch)

    first, second = await asyncio.gather(send(), send())
    statuses = sorted(sorted({o["status"] for o in answer}) for answer in (first, second))
    assert statuses == [["already_applied"], ["applied"]], (first, second)
    assert [o["record_id"] for o in first] == [o["record_id"] for o in second]
    async with app.state.database.sessionmaker() as session:
        visits = await session.scalar(select(func.count()).select_from(Visit))
        stored = await session.scalar(select(func.count()).select_from(SyncOperation))
        changed = await session.get(Household, household.id)
    assert visits == OPERATIONS and stored == OPERATIONS + 1
    assert changed is not None and changed.address == "三组9号" and changed.version == 2
