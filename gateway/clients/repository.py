"""Every query of machine clients, scoped by the caller's area."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import MachineClient
from services.common.auth.principal import Principal
from services.common.scope import in_scope


async def get_in_scope(
    session: AsyncSession, principal: Principal, client_id: uuid.UUID, *, for_update: bool = False
) -> MachineClient | None:
    query = select(MachineClient).where(
        MachineClient.id == client_id, in_scope(MachineClient.area_code, principal)
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def client_id_taken(session: AsyncSession, client_id: str) -> bool:
    query = select(MachineClient.id).where(MachineClient.client_id == client_id)
    return (await session.scalar(query)) is not None


async def list_in_scope(
    session: AsyncSession, principal: Principal, *, after_client_id: str | None, limit: int
) -> list[MachineClient]:
    query = (
        select(MachineClient)
        .where(in_scope(MachineClient.area_code, principal))
        .order_by(MachineClient.client_id)
    )
    if after_client_id is not None:
        query = query.where(MachineClient.client_id > after_client_id)
    return list((await session.scalars(query.limit(limit))).all())
