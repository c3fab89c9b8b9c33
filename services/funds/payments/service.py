"""The rules of payments: only to a started project, with a voucher, never more than the link
has unpaid, also when many requests arrive at once: the check and the change are one
conditional UPDATE of the link's running total. Refunds are reversing payments."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.errors import Conflict, InvalidInput, NotFound
from services.funds.dated_limits.service import check_link_by_day
from services.funds.figures import rollups
from services.funds.history import total_moved, written
from services.funds.links import repository as links
from services.funds.links.schemas import LinkReversal
from services.funds.links.service import ENTITY as LINK
from services.funds.links.service import reverse_link
from services.funds.models import Payment
from services.funds.payments import repository
from services.funds.payments.repository import NewPayment, PaymentFilters, PaymentKey
from services.funds.payments.schemas import PaymentCreate, PaymentRefund
from services.funds.places import check_not_before, check_not_future
from services.funds.projects import repository as projects
from services.funds.projects.lifecycle import PAYABLE
from services.funds.vocabulary import EntryKind, ProjectStatus

ENTITY = repository.PAYMENT


async def pay(session: AsyncSession, principal: Principal, data: PaymentCreate) -> SimpleNamespace:
    """The new payment's row (read like a `Payment`); its amount is in the `paid` figure."""
    check_not_future(data.paid_on, "body.paid_on")
    attempt = await repository.pay(
        session,
        principal,
        data.link_id,
        NewPayment(
            id=uuid.uuid4(),
            amount=data.amount,
            voucher_number=data.voucher_number,
            paid_on=data.paid_on,
            payee=data.payee,
            note=data.note,
        ),
    )
    if attempt is None:
        raise NotFound(f"No fund link {data.link_id}.")
    if attempt.link_kind != EntryKind.ORIGINAL:
        raise InvalidInput.for_field(
            "body.link_id", "not_an_original", "Payments are made against a link, not a reversal."
        )
    if attempt.project_status not in PAYABLE:
        cancelled = attempt.project_status == ProjectStatus.CANCELLED
        raise Conflict(
            f"Nothing is paid to a project that is {attempt.project_status}.",
            code="project_cancelled" if cancelled else "project_not_started",
            extra={"status": attempt.project_status},
        )
    check_not_before(data.paid_on, attempt.linked_on, "body.paid_on", "before_link", "the link")
    if attempt.payment is None:
        unpaid = await links.unpaid_of(session, data.link_id)
        raise Conflict(
            f"Only {unpaid:.2f} of the linked funds is unpaid.",
            code="payment_exceeds_linked_funds",
            extra={"unpaid": f"{unpaid:.2f}"},
        )
    if attempt.refunded_through is not None and data.paid_on < attempt.refunded_through:
        await check_link_by_day(session, data.link_id, data.paid_on)
    return attempt.payment


async def refund(
    session: AsyncSession, principal: Principal, payment_id: uuid.UUID, data: PaymentRefund
) -> Payment:
    """Record money paid coming back (退款): the link has it unpaid again. On a cancelled project,
    which may hold no unpaid money, the link is then reduced by as much (调减): the money goes
    back to the allocation."""
    original = await get_payment(session, principal, payment_id)
    if original.kind != EntryKind.ORIGINAL:
        raise Conflict("A refund cannot itself be refunded.", code="reversal_of_reversal")
    # Lock order as everywhere: the project (its status held), the payment, then the link.
    project = await projects.get_project(session, principal, original.project_id, for_share=True)
    assert project is not None  # the payment is the project's, in the same area
    check_not_future(data.refunded_on, "body.refunded_on")
    check_not_before(
        data.refunded_on, original.paid_on, "body.refunded_on", "before_original", "the payment"
    )
    reversal = Payment(
        id=uuid.uuid4(),
        link_id=original.link_id,
        project_id=original.project_id,
        area_code=original.area_code,
        county_code=original.county_code,
        year=original.year,
        amount=data.amount,
        kind=EntryKind.REVERSAL.value,
        refunds_id=original.id,
        voucher_number=data.voucher_number,
        paid_on=data.refunded_on,
        payee=original.payee,
        note=data.reason,
        created_by=principal.subject,
        version=1,
    )
    session.add(reversal)
    await session.flush()
    await written(session, principal, ENTITY, reversal.id, reversal)
    # Lock order: the payment, then its link.
    version = await repository.take_for_refund(session, original.id, data.amount)
    if version is None:
        refundable = await repository.refundable_of(session, original.id)
        raise Conflict(
            f"Only {refundable:.2f} of the payment is left to refund.",
            code="refund_exceeds_payment",
            extra={"refundable": f"{refundable:.2f}"},
        )
    await total_moved(session, ENTITY, original.id, original.area_code, version)
    link_version = await links.give_back_from_refund(
        session, original.link_id, data.amount, data.refunded_on
    )
    await total_moved(session, LINK, original.link_id, original.area_code, link_version)
    await rollups.bump(
        session,
        original.county_code,
        original.year,
        original.link_id,
        [(rollups.PAID, -data.amount)],
    )
    if project.status == ProjectStatus.CANCELLED:
        reduction = LinkReversal.model_construct(  # the refund's values, already checked
            amount=data.amount,
            reversed_on=data.refunded_on,
            reason=f"项目已取消，退款收回 (refund on a cancelled project): {data.reason}"[:2000],
        )
        await reverse_link(session, principal, original.link_id, reduction)
    return reversal


async def get_payment(
    session: AsyncSession, principal: Principal, payment_id: uuid.UUID
) -> Payment:
    payment = await repository.get_payment(session, principal, payment_id)
    if payment is None:
        raise NotFound(f"No payment {payment_id}.")
    return payment


async def list_payments(
    session: AsyncSession,
    principal: Principal,
    filters: PaymentFilters,
    *,
    after: PaymentKey | None,
    limit: int,
) -> list[Payment]:
    return await repository.list_payments(session, principal, filters, after=after, limit=limit)
