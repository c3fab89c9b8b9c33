"""Every query of public-welfare posts, scoped by the caller's area."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.employment.models import EmploymentSpell, PublicWelfarePost

PostKey = tuple[str, str, uuid.UUID]


async def get_post(
    session: AsyncSession, principal: Principal, post_id: uuid.UUID, *, for_update: bool = False
) -> PublicWelfarePost | None:
    query = select(PublicWelfarePost).where(
        PublicWelfarePost.id == post_id, in_scope(PublicWelfarePost.area_code, principal)
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_posts(
    session: AsyncSession,
    principal: Principal,
    *,
    area_code: str | None,
    after: PostKey | None,
    limit: int,
) -> list[PublicWelfarePost]:
    query = select(PublicWelfarePost).where(in_scope(PublicWelfarePost.area_code, principal))
    if area_code is not None:
        query = query.where(PublicWelfarePost.area_code == area_code)
    order = (PublicWelfarePost.area_code, PublicWelfarePost.name, PublicWelfarePost.id)
    if after is not None:
        query = query.where(func.row(*order) > func.row(*after))
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())


async def holders_on(
    session: AsyncSession, post_ids: Sequence[uuid.UUID], day: date
) -> dict[uuid.UUID, int]:
    """How many people hold each post on `day`."""
    if not post_ids:
        return {}
    query = (
        select(EmploymentSpell.post_id, func.count())
        .where(
            EmploymentSpell.post_id.in_(post_ids),
            EmploymentSpell.start_date <= day,
            or_(EmploymentSpell.end_date.is_(None), EmploymentSpell.end_date >= day),
        )
        .group_by(EmploymentSpell.post_id)
    )
    rows = (await session.execute(query)).all()
    return {row[0]: int(row[1]) for row in rows if row[0] is not None}


async def contracts_overlapping(
    session: AsyncSession,
    post_id: uuid.UUID,
    start: date,
    end: date,
    *,
    except_spell: uuid.UUID | None,
) -> int:
    """Contracts on the post that share at least one day with [start, end]."""
    query = select(func.count()).where(
        EmploymentSpell.post_id == post_id,
        EmploymentSpell.start_date <= end,
        or_(EmploymentSpell.end_date.is_(None), EmploymentSpell.end_date >= start),
    )
    if except_spell is not None:
        query = query.where(EmploymentSpell.id != except_spell)
    return int(await session.scalar(query) or 0)
