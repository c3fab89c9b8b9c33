"""Every query of employment spells, scoped by the caller's area."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.employment.models import EmploymentSpell


async def get_spell(
    session: AsyncSession, principal: Principal, spell_id: uuid.UUID, *, for_update: bool = False
) -> EmploymentSpell | None:
    query = select(EmploymentSpell).where(
        EmploymentSpell.id == spell_id, in_scope(EmploymentSpell.area_code, principal)
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def spells_of(session: AsyncSession, labourer_id: uuid.UUID) -> list[EmploymentSpell]:
    query = (
        select(EmploymentSpell)
        .where(EmploymentSpell.labourer_id == labourer_id)
        .order_by(EmploymentSpell.start_date, EmploymentSpell.id)
    )
    return list((await session.scalars(query)).all())
