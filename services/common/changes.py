"""The change feed: every write appends (entity, id, operation, area, version) in its own
transaction; `GET .../changes?after=CURSOR` serves provincial pulls and mobile delta sync.

Why the cursor is (transaction id, sequence) rather than the sequence alone: sequence numbers
are taken before commit, so a transaction that started earlier can commit a lower number after a
reader has already moved past it, and that change would be skipped forever. The feed therefore
serves, in (txid, seq) order, only rows of transactions older than the oldest transaction of
this database that is still running (the horizon). Every transaction that commits later has a
txid at or above that horizon, so a cursor never jumps over a change that is yet to appear.

The horizon ignores transactions of other databases on the same server (their xids are in the
same snapshot, but they cannot write this feed): a long bulk import in one service must not
hold back the feeds of the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Text, cast, insert, literal, literal_column, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.dependencies import CurrentPrincipal
from services.common.auth.principal import Principal
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.held_rows import append_row
from services.common.pagination import Cursor, Limit, decode_cursor, encode_cursor
from services.common.scope import in_scope
from services.common.tables import Xid8, changes

# The oldest running transaction of this database, or the next xid when there is none.
HORIZON = """COALESCE(
    (SELECT min(running) FROM pg_snapshot_xip(pg_current_snapshot()) AS running
     WHERE running::xid NOT IN (
         SELECT backend_xid FROM pg_stat_activity
         WHERE datname IS DISTINCT FROM current_database() AND backend_xid IS NOT NULL)),
    pg_snapshot_xmax(pg_current_snapshot()))"""


class Change(BaseModel):
    """One change of one record (变更记录)."""

    seq: int
    entity: str
    entity_id: str
    operation: str
    area_code: str
    version: int
    changed_at: datetime


class ChangePage(BaseModel):
    """A page of the feed; `next_cursor` is always set, so a client can keep polling with it."""

    items: list[Change]
    next_cursor: str


async def record_change(
    session: AsyncSession,
    *,
    entity: str,
    entity_id: str,
    operation: str,
    area_code: str,
    version: int,
) -> None:
    """Append one change in the caller's transaction (held back when the session holds its
    rows, see `services.common.held_rows`)."""
    await append_row(
        session,
        changes,
        {
            "entity": entity,
            "entity_id": entity_id,
            "operation": operation,
            "area_code": area_code,
            "version": version,
        },
    )


async def record_changes(
    session: AsyncSession, entity: str, operation: str, rows: Sequence[tuple[str, str, int]]
) -> None:
    """Append many changes of one kind, `(entity_id, area_code, version)` each, in one batched
    statement: the bulk paths' counterpart of `record_change`."""
    if not rows:
        return
    await session.execute(
        insert(changes),
        [
            {
                "entity": entity,
                "entity_id": entity_id,
                "operation": operation,
                "area_code": area_code,
                "version": version,
            }
            for entity_id, area_code, version in rows
        ],
    )


async def list_changes(
    session: AsyncSession,
    principal: Principal,
    *,
    after: str | None,
    limit: int,
    entity: str | None = None,
) -> ChangePage:
    """Committed changes in the principal's area after a cursor, oldest first."""
    position = decode_cursor(after, (int, int)) or [0, 0]
    horizon = literal_column(HORIZON, Xid8)
    query = (
        select(changes, cast(changes.c.txid, Text).label("txid_text"))
        .where(
            in_scope(changes.c.area_code, principal),
            changes.c.txid < horizon,
            tuple_(changes.c.txid, changes.c.seq)
            > tuple_(cast(literal(str(position[0])), Xid8), literal(position[1])),
        )
        .order_by(changes.c.txid, changes.c.seq)
        .limit(limit)
    )
    if entity is not None:
        query = query.where(changes.c.entity == entity)
    rows = (await session.execute(query)).all()
    items = [
        Change(
            seq=row.seq,
            entity=row.entity,
            entity_id=row.entity_id,
            operation=row.operation,
            area_code=row.area_code,
            version=row.version,
            changed_at=row.changed_at,
        )
        for row in rows
    ]
    last = [int(rows[-1].txid_text), rows[-1].seq] if rows else position
    return ChangePage(items=items, next_cursor=encode_cursor(last))


def changes_router() -> UnitOfWorkRouter:
    """The `GET /changes` route every service mounts under its API prefix."""
    router = UnitOfWorkRouter(tags=["changes"])

    @router.get("/changes", response_model=ChangePage, summary="Change feed (变更数据)")
    async def get_changes(
        session: SessionDep,
        principal: CurrentPrincipal,
        limit: Limit = 200,
        after: Cursor = None,
        entity: Annotated[str | None, Query(max_length=64)] = None,
    ) -> ChangePage:
        return await list_changes(session, principal, after=after, limit=limit, entity=entity)

    return router
