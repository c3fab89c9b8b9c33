"""Every query of subsidies, scoped by the caller's area."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.employment.models import Subsidy

SubsidyKey = tuple[str, uuid.UUID]


async def get_subsidy(
    session: AsyncSession, principal: Principal, subsidy_id: uuid.UUID
) -> Subsidy | None:
    return await session.scalar(
        select(Subsidy).where(Subsidy.id == subsidy_id, in_scope(Subsidy.area_code, principal))
    )


async def already_paid(session: AsyncSession, kind: str, index: bytes, year: int) -> bool:
    """Whether this person got this subsidy for this year already, in any area: the rule is
    one per person and year, wherever they live now."""
    query = select(Subsidy.id).where(
        Subsidy.kind == kind, Subsidy.person_number_index == index, Subsidy.year == year
    )
    return (await session.scalar(query)) is not None


async def list_subsidies(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int,
    kind: str | None,
    after: SubsidyKey | None,
    limit: int,
) -> list[Subsidy]:
    query = select(Subsidy).where(in_scope(Subsidy.area_code, principal), Subsidy.year == year)
    if kind is not None:
        query = query.where(Subsidy.kind == kind)
    order = (Subsidy.area_code, Subsidy.id)
    if after is not None:
        query = query.where(func.row(*order) > func.row(*after))
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())
