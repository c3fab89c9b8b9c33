"""A long batch (up to 500 operations) is applied in transactions that each take at most
PostgreSQL's 64 cached subtransaction ids (one savepoint per operation), so that no push
overflows into `pg_subtrans` and slows every other session's snapshots; resent, it applies
nothing twice."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import psycopg
from fastapi import FastAPI
from sqlalchemy import func, select, text

from services.common.settings import CommonSettings
from services.monitoring.models import SyncOperation, Visit
from services.monitoring.sync.parsing import Parsed, parse
from services.monitoring.sync.push import groups
from services.monitoring.sync.schemas import Outcome
from tests.monitoring.sync.support import PUSH, push, visit
from tests.support.identities import TokenFactory
from tests.support.monitoring import create_household

OPERATIONS = 150


def revisit(household_id: object) -> dict[str, Any]:
    """A revisit runs through the ORM (it may reopen a case): two subtransaction ids."""
    operation = visit(household_id)
    operation["visit"] = {**operation["visit"], "kind": "revisit"}
    return operation


async def operations_per_transaction(app: FastAPI) -> list[int]:
    """How many stored outcomes each transaction wrote (they are inserted outside the
    operations' savepoints, so their `xmin` is the transaction's own id)."""
    async with app.state.database.sessionmaker() as session:
        rows = await session.execute(
            text("SELECT count(*) FROM sync_operations GROUP BY xmin::text::bigint ORDER BY 1")
        )
        return [int(count) for (count,) in rows]


async def test_a_long_batch_commits_in_groups_under_the_subtransaction_cache(
    committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = committing_apps["monitoring"]
    household = await create_household(app)
    batch = [visit(household.id, f"走访 {i}") for i in range(OPERATIONS)]
    officer = tokens.village_officer()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
        first = await push(client, officer, batch)
        again = await push(client, officer, batch)
    assert {o["status"] for o in first} == {"applied"}
    assert await operations_per_transaction(app) == [22, 64, 64]
    assert {o["status"] for o in again} == {"already_applied"}
    assert [o["record_id"] for o in again] == [o["record_id"] for o in first]
    async with app.state.database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Visit)) == OPERATIONS
        stored = await session.scalar(select(func.count()).select_from(SyncOperation))
    assert stored == OPERATIONS


def test_operations_through_the_orm_count_twice_and_refused_ones_not_at_all() -> None:
    household = uuid.uuid4()
    parsed = [parse(i, revisit(household)) for i in range(40)]
    parsed.insert(5, parse(5, {"kind": "no_such_kind", "operation_id": str(uuid.uuid4())}))
    parsed += [parse(i, visit(household)) for i in range(41, 101)]
    cut = groups(parsed)
    # 32 revisits (64 ids) with the refused one; 8 revisits and 48 visits; 12 visits.
    assert [len(group) for group in cut] == [33, 56, 12]
    assert [sum(ids(item) for item in group) for group in cut] == [64, 64, 12]


def ids(item: Parsed | Outcome) -> int:
    if isinstance(item, Outcome):
        return 0
    return 2 if item.operation.visit.kind == "revisit" else 1


async def test_a_group_that_fails_keeps_the_groups_committed_before_it(
    committing_apps: dict[str, FastAPI], tokens: TokenFactory, settings: CommonSettings
) -> None:
    """70 visits and then a revisit of a household another transaction holds. The push waits
    in its second group, whose transaction holds a few subtransaction ids, not 71 (PostgreSQL
    16 and later show it); its connection is terminated there: the first group (64 visits)
    stays committed, the push answers 503, and the resent batch answers those 64
    `already_applied` and applies the rest."""
    app = committing_apps["monitoring"]
    first, second = await create_household(app), await create_household(app)
    batch = [visit(first.id, f"走访 {i}") for i in range(70)] + [revisit(second.id)]
    officer = tokens.village_officer()
    url = settings.service_database_url("monitoring", driver="postgresql")
    dsn = url.render_as_string(hide_password=False)
    async with (
        await psycopg.AsyncConnection.connect(dsn, autocommit=True) as holder,
        await psycopg.AsyncConnection.connect(dsn, autocommit=True) as observer,
        holder.transaction(),
    ):
        await holder.execute("SELECT 1 FROM households WHERE id = %s FOR UPDATE", (second.id,))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
            pushing = asyncio.create_task(
                client.post(PUSH, json={"operations": batch}, headers=officer)
            )
            waiting = await blocked_backend(observer, holder.info.backend_pid)
            if observer.info.server_version >= 160000:
                count, overflowed = await subtransactions(observer, waiting)
                assert 0 < count <= 64 and not overflowed, (count, overflowed)
            await observer.execute("SELECT pg_terminate_backend(%s)", (waiting,))
            answer = await pushing
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "database_unavailable"
    assert await operations_per_transaction(app) == [64]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
        again = await push(client, officer, batch)
    statuses = [o["status"] for o in again]
    # The revisit is refused now that it can run: the household was never eliminated.
    assert statuses == ["already_applied"] * 64 + ["applied"] * 6 + ["rejected"], statuses
    async with app.state.database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Visit)) == 70


async def blocked_backend(observer: psycopg.AsyncConnection[Any], holder: int) -> int:
    """The backend waiting for a lock that the backend `holder` holds."""
    for _ in range(500):
        cursor = await observer.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", (holder,)
        )
        row = await cursor.fetchone()
        if row is not None:
            return int(row[0])
        await asyncio.sleep(0.02)
    raise AssertionError("no push waited for the held household")


async def subtransactions(observer: psycopg.AsyncConnection[Any], pid: int) -> tuple[int, bool]:
    """The subtransaction ids the backend's transaction holds, and whether they overflowed
    PostgreSQL's cache (`pg_stat_get_backend_subxact`, PostgreSQL 16 and later)."""
    cursor = await observer.execute(
        "SELECT s.subxact_count, s.subxact_overflowed FROM pg_stat_get_backend_idset() AS b(id)"
        " CROSS JOIN LATERAL pg_stat_get_backend_subxact(b.id) AS s"
        " WHERE pg_stat_get_backend_pid(b.id) = %s",
        (pid,),
    )
    row = await cursor.fetchone()
    assert row is not None
    return int(row[0]), bool(row[1])
