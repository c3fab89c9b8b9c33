"""Queries of feed batches and their rejections, scoped by area (and, for a department's own
client, to the batches it sent); and the worker's queue."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.scope import in_scope
from services.monitoring.models import FeedBatch, FeedRejection

PENDING = ("queued", "processing")


def _visible(principal: Principal) -> ColumnElement[bool]:
    scoped = in_scope(FeedBatch.area_code, principal)
    if principal.role == Role.DEPARTMENT_FEED:
        return and_(scoped, FeedBatch.client == principal.subject)
    return scoped


async def get_batch(
    session: AsyncSession, principal: Principal, batch_id: uuid.UUID, *, for_update: bool = False
) -> FeedBatch | None:
    query = select(FeedBatch).where(FeedBatch.id == batch_id, _visible(principal))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def batch_by_key(session: AsyncSession, client: str, key: str) -> FeedBatch | None:
    query = select(FeedBatch).where(FeedBatch.client == client, FeedBatch.idempotency_key == key)
    return await session.scalar(query)


async def list_batches(
    session: AsyncSession,
    principal: Principal,
    *,
    state: str | None,
    after: Sequence[Any] | None,
    limit: int,
) -> list[FeedBatch]:
    """Batches in (received_at, id) order, newest last."""
    query = select(FeedBatch).where(_visible(principal))
    if state is not None:
        query = query.where(FeedBatch.state == state)
    order = (FeedBatch.received_at, FeedBatch.id)
    if after is not None:
        query = query.where(func.row(*order) > func.row(*after))
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())


async def rejections(
    session: AsyncSession, batch_id: uuid.UUID, *, after: int | None, limit: int
) -> list[FeedRejection]:
    """A batch's rejections by line; the caller has found the batch in its scope."""
    query = select(FeedRejection).where(FeedRejection.batch_id == batch_id)
    if after is not None:
        query = query.where(FeedRejection.line > after)
    return list((await session.scalars(query.order_by(FeedRejection.line).limit(limit))).all())


async def pending_batches(
    session: AsyncSession, *, skip: Collection[uuid.UUID], limit: int = 20
) -> list[uuid.UUID]:
    """Queued or interrupted batches, oldest first, row-locked for the claim; rows another
    worker is claiming right now are skipped."""
    query = (
        select(FeedBatch.id)
        .where(FeedBatch.state.in_(PENDING), FeedBatch.id.not_in(list(skip)) if skip else true())
        .order_by(FeedBatch.received_at, FeedBatch.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(query)).all())


def batch_lock_key(batch_id: uuid.UUID) -> ColumnElement[int]:
    """The advisory lock a worker holds on its connection while it processes a batch."""
    return func.hashtextextended(f"feed_batch\n{batch_id}", 0)


async def try_lock_batch(session: AsyncSession, batch_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(func.pg_try_advisory_lock(batch_lock_key(batch_id)))))


async def unlock_batch(session: AsyncSession, batch_id: uuid.UUID) -> None:
    await session.scalar(select(func.pg_advisory_unlock(batch_lock_key(batch_id))))
