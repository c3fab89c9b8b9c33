"""Held audit and change rows (`services.common.held_rows`): kept in memory while the session
holds them, dropped with an undone write, inserted together in the order recorded."""

from __future__ import annotations

import contextlib

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.changes import record_change
from services.common.held_rows import hold_rows, insert_held_rows
from services.common.tables import audit_log, changes
from tests.support.identities import VILLAGE

ENTITY = "held_rows_probe"
OFFICER = Principal(subject="user:held", role=Role.VILLAGE_OFFICER, area=VILLAGE)


async def _write(session: AsyncSession, entity_id: str, version: int) -> None:
    await record_change(
        session,
        entity=ENTITY,
        entity_id=entity_id,
        operation="update",
        area_code=VILLAGE,
        version=version,
    )
    await record_audit(
        session,
        OFFICER,
        action="update",
        entity=ENTITY,
        entity_id=entity_id,
        area_code=VILLAGE,
    )


async def _rows(session: AsyncSession) -> tuple[list[tuple[str, int]], list[str]]:
    feed = await session.execute(
        select(changes.c.entity_id, changes.c.version)
        .where(changes.c.entity == ENTITY)
        .order_by(changes.c.seq)
    )
    audited = await session.scalars(
        select(audit_log.c.entity_id).where(audit_log.c.entity == ENTITY).order_by(audit_log.c.id)
    )
    return [(row.entity_id, row.version) for row in feed], list(audited)


async def test_held_rows_wait_drop_with_an_undone_write_and_insert_in_order(
    apps: dict[str, FastAPI],
) -> None:
    async with apps["monitoring"].state.database.sessionmaker() as session:
        held = hold_rows(session)
        await _write(session, "a", 1)
        with contextlib.suppress(RuntimeError), held.dropped_on_error():
            await _write(session, "b", 1)
            raise RuntimeError("the write of b was rolled back")
        await _write(session, "c", 1)
        await _write(session, "a", 2)
        assert await _rows(session) == ([], [])  # nothing sent yet

        await insert_held_rows(session)
        assert await _rows(session) == ([("a", 1), ("c", 1), ("a", 2)], ["a", "c", "a"])

        await _write(session, "d", 1)  # no longer held: inserted at once
        feed, audited = await _rows(session)
        assert feed[-1] == ("d", 1) and audited[-1] == "d"
        count = await session.scalar(
            select(func.count()).select_from(changes).where(changes.c.entity == ENTITY)
        )
        assert count == 4
