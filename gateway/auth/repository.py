"""Queries of sign-in: accounts are looked up by name regardless of area (before any scope)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import MachineClient, User


async def user_by_username_for_update(session: AsyncSession, username: str) -> User | None:
    return await session.scalar(
        select(User).where(User.username == username.strip().lower()).with_for_update()
    )


async def client_by_client_id(session: AsyncSession, client_id: str) -> MachineClient | None:
    # Client ids are stored folded to lower case, like usernames.
    query = select(MachineClient).where(MachineClient.client_id == client_id.strip().lower())
    return await session.scalar(query)
