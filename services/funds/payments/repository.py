"""Every query of payments, scoped by the caller's area. `paid` on the link and `refunded` on
a payment move only through one conditional UPDATE each.

A payment is the hot path (many at once at month end), so it is one constant statement,
prepared once per connection: the link in scope with its project held FOR SHARE, the
conditional UPDATE of the link's running total, the payment row, the change-feed rows of both,
the audit row and the `paid` figure. Every write in it depends on the UPDATE having taken the
amount, so a refused payment leaves nothing behind, and the statement still answers what the
rules need to say why it was refused. It runs on the session's own asyncpg connection, inside
the request's transaction (`services.common.driver`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.driver import driver_connection
from services.common.observability import current_request_id
from services.common.scope import in_scope
from services.funds.figures import rollups
from services.funds.links.service import ENTITY as LINK
from services.funds.models import Payment
from services.funds.projects.lifecycle import PAYABLE
from services.funds.vocabulary import EntryKind

PaymentKey = tuple[date, uuid.UUID]
PAYMENT = "payment"  # the entity's name in the change feed and the audit log


@dataclass(frozen=True)
class PaymentFilters:
    project_id: uuid.UUID | None = None
    link_id: uuid.UUID | None = None
    kind: str | None = None


@dataclass(frozen=True)
class NewPayment:
    id: uuid.UUID
    amount: Decimal
    voucher_number: str
    paid_on: date
    payee: str | None
    note: str | None


@dataclass(frozen=True)
class PaymentAttempt:
    """What the payment statement found and did: the link's kind, its project's status, its
    date, and the payment when the amount was taken."""

    link_kind: str
    project_status: str
    linked_on: date
    # The link's latest refund, as the UPDATE that took the amount saw it (the link's row is
    # held, so no refund can come in between): a payment dated before it is checked by day.
    refunded_through: date | None
    payment: SimpleNamespace | None  # the payment's columns, read as attributes like a `Payment`


_PAYABLE = ", ".join(f"'{status.value}'" for status in sorted(PAYABLE))
# The link in the caller's area (BETWEEN its bounds, as `in_scope` does). The project row is
# held FOR SHARE: it cannot be cancelled under a payment, while payments on it do not wait for
# each other. Lock order as everywhere: the project, then the link, then the figure (one row,
# in the link's slot: see figures/rollups.py). Parameters: $1 link id, $2 and $3 the caller's
# area bounds, $4 payment id, $5 amount, $6 voucher number, $7 voucher date, $8 payee, $9
# note, $10 actor, $11 actor's role, $12 request id, $13 the figure's slot.
_PAY = f"""
WITH link AS (
    SELECT l.id, l.kind, l.area_code, l.county_code, l.year, l.project_id, l.linked_on, p.status
    FROM fund_links AS l JOIN projects AS p ON p.id = l.project_id
    WHERE l.id = $1 AND l.area_code BETWEEN $2 AND $3
    FOR SHARE OF p
), taken AS (
    UPDATE fund_links AS l
    SET paid = l.paid + $5, version = l.version + 1, updated_at = now()
    FROM link
    WHERE l.id = link.id AND link.kind = '{EntryKind.ORIGINAL.value}'
      AND link.status IN ({_PAYABLE}) AND link.linked_on <= $7
      AND l.paid + l.reversed + $5 <= l.amount
    RETURNING l.version, l.refunded_through
), payment AS (
    INSERT INTO payments (id, link_id, project_id, area_code, county_code, year, amount, kind,
                          voucher_number, paid_on, payee, note, refunded, created_by, version)
    SELECT $4, link.id, link.project_id, link.area_code, link.county_code, link.year,
           $5, '{EntryKind.ORIGINAL.value}', $6, $7, $8, $9, 0, $10, 1
    FROM link CROSS JOIN taken
    RETURNING *
), figure AS (
    INSERT INTO fund_figures AS f (county_code, year, metric, slot, value)
    SELECT payment.county_code, payment.year, '{rollups.PAID}', $13, payment.amount
    FROM payment
    ON CONFLICT (county_code, year, metric, slot) DO UPDATE SET value = f.value + excluded.value
), feed AS (
    INSERT INTO changes (entity, entity_id, operation, area_code, version)
    SELECT '{PAYMENT}', payment.id::text, 'create', payment.area_code, payment.version
    FROM payment
    UNION ALL
    SELECT '{LINK}', link.id::text, 'update', link.area_code, taken.version
    FROM link CROSS JOIN taken
), audit AS (
    INSERT INTO audit_log (actor, actor_role, action, entity, entity_id, area_code, request_id)
    SELECT $10, $11, 'create', '{PAYMENT}', payment.id::text, payment.area_code, $12
    FROM payment
)
SELECT link.kind AS link_kind, link.status AS project_status, link.linked_on,
       (SELECT refunded_through FROM taken) AS link_refunded_through, payment.*
FROM link LEFT JOIN payment ON true
"""


async def pay(
    session: AsyncSession,
    principal: Principal,
    link_id: uuid.UUID,
    payment: NewPayment,
) -> PaymentAttempt | None:
    """Pay `payment.amount` against the link if it is in the caller's area, an original, its
    project payable, `payment.paid_on` not before it and the amount within what it has unpaid,
    and add it to the county's `paid` figure; None when there is no such link in the caller's
    area."""
    low, high = principal.area_bounds
    driver = await driver_connection(session)
    row = await driver.fetchrow(
        _PAY,
        link_id,
        low,
        high,
        payment.id,
        payment.amount,
        payment.voucher_number,
        payment.paid_on,
        payment.payee,
        payment.note,
        principal.subject,
        principal.role.value,
        current_request_id(),
        rollups.slot_of(link_id),
    )
    if row is None:
        return None
    return PaymentAttempt(
        link_kind=row["link_kind"],
        project_status=row["project_status"],
        linked_on=row["linked_on"],
        refunded_through=row["link_refunded_through"],
        payment=None if row["id"] is None else SimpleNamespace(**row),
    )


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
