"""Every query of user accounts, scoped by the caller's area."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import User
from services.common.auth.principal import Principal
from services.common.scope import in_scope


async def get_in_scope(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, *, for_update: bool = False
) -> User | None:
    query = select(User).where(User.id == user_id, in_scope(User.area_code, principal))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def username_taken(session: AsyncSession, username: str) -> bool:
    return (await session.scalar(select(User.id).where(User.username == username))) is not None


async def list_in_scope(
    session: AsyncSession, principal: Principal, *, after_username: str | None, limit: int
) -> list[User]:
    query = select(User).where(in_scope(User.area_code, principal)).order_by(User.username)
    if after_username is not None:
        query = query.where(User.username > after_username)
    return list((await session.scalars(query.limit(limit))).all())


async def any_user_exists(session: AsyncSession) -> bool:
    return (await session.scalar(select(User.id).limit(1))) is not None
