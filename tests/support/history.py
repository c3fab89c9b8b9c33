"""What a write leaves behind for one record: its change-feed operations and audit actions."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select

from services.common.tables import audit_log, changes


async def history_of(app: FastAPI, entity_id: str) -> tuple[list[str], list[str]]:
    """The change-feed operations and the audit actions recorded for one record, in order."""
    async with app.state.database.sessionmaker() as session:
        fed = await session.scalars(
            select(changes.c.operation)
            .where(changes.c.entity_id == entity_id)
            .order_by(changes.c.seq)
        )
        audited = await session.scalars(
            select(audit_log.c.action)
            .where(audit_log.c.entity_id == entity_id)
            .order_by(audit_log.c.id)
        )
        return list(fed.all()), list(audited.all())
