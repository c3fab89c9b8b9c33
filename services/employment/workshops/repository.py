"""Every query of assistance workshops, scoped by the caller's area."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.employment.models import AssistanceWorkshop, EmploymentSpell, Labourer

WorkshopKey = tuple[str, str, uuid.UUID]


async def get_workshop(
    session: AsyncSession,
    principal: Principal,
    workshop_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> AssistanceWorkshop | None:
    query = select(AssistanceWorkshop).where(
        AssistanceWorkshop.id == workshop_id, in_scope(AssistanceWorkshop.area_code, principal)
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_workshops(
    session: AsyncSession,
    principal: Principal,
    *,
    area_code: str | None,
    after: WorkshopKey | None,
    limit: int,
) -> list[AssistanceWorkshop]:
    query = select(AssistanceWorkshop).where(in_scope(AssistanceWorkshop.area_code, principal))
    if area_code is not None:
        query = query.where(AssistanceWorkshop.area_code == area_code)
    order = (AssistanceWorkshop.area_code, AssistanceWorkshop.name, AssistanceWorkshop.id)
    if after is not None:
        query = query.where(func.row(*order) > func.row(*after))
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())


async def workers_on(
    session: AsyncSession, workshop_ids: Sequence[uuid.UUID], day: date
) -> dict[uuid.UUID, tuple[int, int]]:
    """(workers, exited-poverty workers) of each workshop on `day`, each person once."""
    if not workshop_ids:
        return {}
    query = (
        select(
            EmploymentSpell.workshop_id,
            func.count(distinct(EmploymentSpell.labourer_id)),
            func.count(distinct(EmploymentSpell.labourer_id)).filter(
                Labourer.household_kind == "exited_poverty"
            ),
        )
        .join(Labourer, Labourer.id == EmploymentSpell.labourer_id)
        .where(
            EmploymentSpell.workshop_id.in_(workshop_ids),
            EmploymentSpell.start_date <= day,
            or_(EmploymentSpell.end_date.is_(None), EmploymentSpell.end_date >= day),
        )
        .group_by(EmploymentSpell.workshop_id)
    )
    rows = (await session.execute(query)).all()
    return {row[0]: (int(row[1]), int(row[2])) for row in rows if row[0] is not None}
