"""Offline replay (离线重放): a device's queue of operations arrives shuffled, 30% of it twice,
and 20% of the responses are lost after commit so whole batches are sent again. The server
ends with exactly the intended state: nothing lost, nothing applied twice."""

from __future__ import annotations

import os
import random
import uuid
from collections import Counter
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.monitoring.models import Member, SyncOperation, Visit
from tests.monitoring.sync.support import push, update_member, visit
from tests.support.identities import TokenFactory
from tests.support.monitoring import create_household

SEED = 20261124
# Sent, duplicates included. 10,000 passes too (about 25 s on a busy 2-core machine); set
# SYNC_REPLAY_OPERATIONS=10000 to run it at full size.
OPERATIONS = int(os.environ.get("SYNC_REPLAY_OPERATIONS", "4000"))
DUPLICATE_SHARE = 0.3
DROPPED_SHARE = 0.2
BATCH = 50
HOUSEHOLDS = 20
# Each member's fields changed once each, all based on version 1: any arrival order merges.
MEMBER_CHANGES = {
    "work_place": (None, "江苏苏州"),
    "work_months": (None, 10),
    "medical_insurance": (False, True),
    "pension_insurance": (False, True),
    "minimum_living_allowance": (False, True),
}


async def test_shuffled_duplicated_and_resent_operations_end_in_the_intended_state(
    committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = committing_apps["monitoring"]
    rng = random.Random(SEED)
    households = [await create_household(app) for _ in range(HOUSEHOLDS)]
    async with app.state.database.sessionmaker() as session:
        members = list(await session.scalars(select(Member.id)))
    unique = round(OPERATIONS * (1 - DUPLICATE_SHARE))
    updates = [
        update_member(member_id, 1, **{name: change})
        for member_id in members
        for name, change in MEMBER_CHANGES.items()
    ]
    visits = [
        visit(rng.choice(households).id, findings=f"走访 {i}") for i in range(unique - len(updates))
    ]
    intended = visits + updates
    sent = intended + rng.sample(intended, OPERATIONS - unique)
    rng.shuffle(sent)

    statuses: Counter[str] = Counter()
    resent = 0
    officer = tokens.village_officer()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
        for start in range(0, len(sent), BATCH):
            batch = sent[start : start + BATCH]
            outcomes = await push(client, officer, batch)
            while rng.random() < DROPPED_SHARE:  # the answer was lost: send the batch again
                resent += 1
                outcomes = await push(client, officer, batch)
            statuses.update(outcome["status"] for outcome in outcomes)

    assert resent > 0 and statuses["already_applied"] > OPERATIONS - unique
    assert set(statuses) <= {"applied", "already_applied"}, statuses
    await _assert_intended_state(app, visits, members, unique)


async def _assert_intended_state(
    app: FastAPI, visits: list[dict[str, Any]], members: list[uuid.UUID], unique: int
) -> None:
    async with app.state.database.sessionmaker() as session:
        recorded = Counter(
            (str(household_id), findings)
            for household_id, findings in await session.execute(
                select(Visit.household_id, Visit.findings)
            )
        )
        stored = await session.scalar(select(func.count()).select_from(SyncOperation))
        changed = list(await session.scalars(select(Member).where(Member.id.in_(members))))
    assert recorded == Counter(
        (op["household_id"], op["visit"]["findings"]) for op in visits
    )  # every visit once: none lost, none twice
    assert stored == unique
    for member in changed:
        assert member.version == 1 + len(MEMBER_CHANGES)
        assert {name: getattr(member, name) for name in MEMBER_CHANGES} == {
            name: value for name, (_, value) in MEMBER_CHANGES.items()
        }
