"""Reading batches and their rejections, and sending a failed batch back to the queue."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.errors import Conflict, NotFound
from services.common.history import record_write
from services.monitoring.feeds import repository
from services.monitoring.models import FeedBatch, FeedRejection

ENTITY = "feed_batch"


async def read_batch(session: AsyncSession, principal: Principal, batch_id: uuid.UUID) -> FeedBatch:
    batch = await repository.get_batch(session, principal, batch_id)
    if batch is None:
        raise NotFound(f"No feed batch {batch_id}.")
    return batch


async def rejections(
    session: AsyncSession,
    principal: Principal,
    batch_id: uuid.UUID,
    *,
    after: int | None,
    limit: int,
) -> list[FeedRejection]:
    batch = await read_batch(session, principal, batch_id)
    await record_audit(
        session,
        principal,
        action="read_rejections",
        entity=ENTITY,
        entity_id=str(batch.id),
        area_code=batch.area_code,
    )
    return await repository.rejections(session, batch.id, after=after, limit=limit)


async def list_batches(
    session: AsyncSession,
    principal: Principal,
    *,
    state: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[FeedBatch]:
    return await repository.list_batches(session, principal, state=state, after=after, limit=limit)


async def retry(session: AsyncSession, principal: Principal, batch_id: uuid.UUID) -> FeedBatch:
    """A failed batch goes back to the queue and resumes from its checkpoint."""
    batch = await repository.get_batch(session, principal, batch_id, for_update=True)
    if batch is None:
        raise NotFound(f"No feed batch {batch_id}.")
    if batch.state != "failed":
        raise Conflict(f"The batch is {batch.state}, not failed.", code="batch_not_failed")
    batch.state, batch.attempts, batch.error, batch.finished_at = "queued", 0, None, None
    await session.flush()
    await record_write(
        session,
        principal,
        entity=ENTITY,
        entity_id=str(batch.id),
        area_code=batch.area_code,
        version=1,
        action="retry",
    )
    return batch
