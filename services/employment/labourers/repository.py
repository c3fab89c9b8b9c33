"""Every query of labourers and their training, scoped by the caller's area."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.employment.models import Labourer, Training

LabourerKey = tuple[str, str, uuid.UUID]


async def get_labourer(
    session: AsyncSession, principal: Principal, labourer_id: uuid.UUID, *, for_update: bool = False
) -> Labourer | None:
    """The labourer if in the principal's area (None otherwise, like a missing one)."""
    query = select(Labourer).where(
        Labourer.id == labourer_id, in_scope(Labourer.area_code, principal)
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def registered(session: AsyncSession, index: bytes) -> bool:
    """Whether the person is a labourer already, in any area: one record per person."""
    query = select(Labourer.id).where(Labourer.person_number_index == index)
    return (await session.scalar(query)) is not None


async def list_labourers(
    session: AsyncSession,
    principal: Principal,
    *,
    area_code: str | None,
    person_index: bytes | None,
    after: LabourerKey | None,
    limit: int,
) -> list[Labourer]:
    """Labourers in the principal's area in (village, name, id) order."""
    query = select(Labourer).where(in_scope(Labourer.area_code, principal))
    if area_code is not None:
        query = query.where(Labourer.area_code == area_code)
    if person_index is not None:
        query = query.where(Labourer.person_number_index == person_index)
    order = (Labourer.area_code, Labourer.name, Labourer.id)
    if after is not None:
        query = query.where(func.row(*order) > func.row(*after))
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())


async def trainings_of(session: AsyncSession, labourer_id: uuid.UUID) -> list[Training]:
    query = (
        select(Training)
        .where(Training.labourer_id == labourer_id)
        .order_by(Training.started_on, Training.id)
    )
    return list((await session.scalars(query)).all())
