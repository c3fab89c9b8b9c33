"""Every query of fund links, scoped by the caller's area. `paid` and `reversed` move only
through one conditional UPDATE each (check and change in one statement, no read-then-write
race); the row lock it takes is held until the request's transaction commits. The payment
path's own statements are in payments/repository.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.funds.models import FundLink

LinkKey = tuple[date, uuid.UUID]


@dataclass(frozen=True)
class LinkFilters:
    project_id: uuid.UUID | None = None
    allocation_id: uuid.UUID | None = None
    kind: str | None = None


async def get_link(
    session: AsyncSession, principal: Principal, link_id: uuid.UUID
) -> FundLink | None:
    query = select(FundLink).where(FundLink.id == link_id, in_scope(FundLink.area_code, principal))
    return await session.scalar(query)


async def list_links(
    session: AsyncSession,
    principal: Principal,
    filters: LinkFilters,
    *,
    after: LinkKey | None,
    limit: int,
) -> list[FundLink]:
    query = select(FundLink).where(in_scope(FundLink.area_code, principal))
    if filters.project_id is not None:
        query = query.where(FundLink.project_id == filters.project_id)
    if filters.allocation_id is not None:
        query = query.where(FundLink.allocation_id == filters.allocation_id)
    if filters.kind is not None:
        query = query.where(FundLink.kind == filters.kind)
    if after is not None:
        query = query.where(func.row(FundLink.linked_on, FundLink.id) < func.row(*after))
    query = query.order_by(FundLink.linked_on.desc(), FundLink.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


async def give_back_from_refund(
    session: AsyncSession, link_id: uuid.UUID, amount: Decimal, refunded_on: date
) -> int:
    """A payment on the link was refunded on `refunded_on`: `amount` is unpaid again."""
    statement = (
        update(FundLink)
        .where(FundLink.id == link_id)
        .values(
            paid=FundLink.paid - amount,
            refunded_through=func.greatest(FundLink.refunded_through, refunded_on),
            version=FundLink.version + 1,
        )
        .returning(FundLink.version)
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(statement)).scalar_one())


async def take_for_reversal(
    session: AsyncSession, link_id: uuid.UUID, amount: Decimal
) -> int | None:
    """`reversed += amount` if it is not more than what is linked and unpaid."""
    statement = (
        update(FundLink)
        .where(
            FundLink.id == link_id, FundLink.paid + FundLink.reversed + amount <= FundLink.amount
        )
        .values(reversed=FundLink.reversed + amount, version=FundLink.version + 1)
        .returning(FundLink.version)
        .execution_options(synchronize_session=False)
    )
    return await session.scalar(statement)


async def unpaid_of(session: AsyncSession, link_id: uuid.UUID) -> Decimal:
    query = select(FundLink.amount - FundLink.reversed - FundLink.paid).where(
        FundLink.id == link_id
    )
    return Decimal((await session.execute(query)).scalar_one())
