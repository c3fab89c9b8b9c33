"""Every query of payments, scoped by the caller's area. `paid` on the link and `refunded` on
a payment move only through one conditional UPDATE each.

The statements a payment runs are built once, at import, with bound parameters: a payment is
the hot path (many at once at month end), and building a statement costs about as much CPU as
executing it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.funds.models import FundLink, Payment, Project

PaymentKey = tuple[date, uuid.UUID]


@dataclass(frozen=True)
class PaymentFilters:
    project_id: uuid.UUID | None = None
    link_id: uuid.UUID | None = None
    kind: str | None = None


@dataclass(frozen=True)
class PayableLink:
    """What a payment needs to know of its link, and the link's project status."""

    id: uuid.UUID
    kind: str
    area_code: str
    county_code: str
    year: int
    project_id: uuid.UUID
    linked_on: date
    status: str


# The link in the caller's area (BETWEEN its bounds, as `in_scope` does), with its project's
# status. The project row is held FOR SHARE: it cannot be cancelled under a payment, while
# payments on it do not wait for each other.
_PAYABLE_LINK = (
    select(
        FundLink.id,
        FundLink.kind,
        FundLink.area_code,
        FundLink.county_code,
        FundLink.year,
        FundLink.project_id,
        FundLink.linked_on,
        Project.status,
    )
    .join(Project, Project.id == FundLink.project_id)
    .where(
        FundLink.id == bindparam("link_id"),
        FundLink.area_code.between(bindparam("low"), bindparam("high")),
    )
    .with_for_update(of=Project, read=True)
)
_INSERT_PAYMENT = insert(Payment).returning(*Payment.__table__.columns)
# paid += delta, only if paid + reversed stays within the link.
_TAKE_FOR_PAYMENT = (
    update(FundLink)
    .where(
        FundLink.id == bindparam("link_id"),
        FundLink.paid + FundLink.reversed + bindparam("delta") <= FundLink.amount,
    )
    .values(paid=FundLink.paid + bindparam("delta"), version=FundLink.version + 1)
    .returning(FundLink.version)
    .execution_options(synchronize_session=False)
)


async def payable_link(
    session: AsyncSession, principal: Principal, link_id: uuid.UUID
) -> PayableLink | None:
    low, high = principal.area_bounds
    row = (
        await session.execute(_PAYABLE_LINK, {"link_id": link_id, "low": low, "high": high})
    ).one_or_none()
    return None if row is None else PayableLink(*row)


async def insert_payment(session: AsyncSession, values: dict[str, Any]) -> Payment:
    """A new payment row (Core, not the unit of work: this is the hot path)."""
    row = (await session.execute(_INSERT_PAYMENT, values)).one()
    return Payment(**row._mapping)


async def take_for_payment(
    session: AsyncSession, link_id: uuid.UUID, amount: Decimal
) -> int | None:
    """`paid += amount` on the link if paid + reversed stays within it; the new version, or
    None when it would not fit."""
    return await session.scalar(_TAKE_FOR_PAYMENT, {"link_id": link_id, "delta": amount})


async def get_payment(
    session: AsyncSession, principal: Principal, payment_id: uuid.UUID
) -> Payment | None:
    query = select(Payment).where(Payment.id == payment_id, in_scope(Payment.area_code, principal))
    return await session.scalar(query)


async def list_payments(
    session: AsyncSession,
    principal: Principal,
    filters: PaymentFilters,
    *,
    after: PaymentKey | None,
    limit: int,
) -> list[Payment]:
    """Payments in scope, latest voucher date first."""
    query = select(Payment).where(in_scope(Payment.area_code, principal))
    if filters.project_id is not None:
        query = query.where(Payment.project_id == filters.project_id)
    if filters.link_id is not None:
        query = query.where(Payment.link_id == filters.link_id)
    if filters.kind is not None:
        query = query.where(Payment.kind == filters.kind)
    if after is not None:
        query = query.where(func.row(Payment.paid_on, Payment.id) < func.row(*after))
    query = query.order_by(Payment.paid_on.desc(), Payment.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


async def take_for_refund(
    session: AsyncSession, payment_id: uuid.UUID, amount: Decimal
) -> int | None:
    """`refunded += amount` if that stays within the payment; the new version, or None."""
    statement = (
        update(Payment)
        .where(Payment.id == payment_id, Payment.refunded + amount <= Payment.amount)
        .values(refunded=Payment.refunded + amount, version=Payment.version + 1)
        .returning(Payment.version)
        .execution_options(synchronize_session=False)
    )
    return await session.scalar(statement)


async def refundable_of(session: AsyncSession, payment_id: uuid.UUID) -> Decimal:
    query = select(Payment.amount - Payment.refunded).where(Payment.id == payment_id)
    return Decimal((await session.execute(query)).scalar_one())
