"""`/payments`: payments against fund links (支付) and refunds (退款)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from fastapi import Response

from services.common.concurrency import etag, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, CursorDate, Limit, Page, decode_cursor, page_of
from services.funds.access import Clerk, Reader
from services.funds.models import Payment
from services.funds.payments import service
from services.funds.payments.repository import PaymentFilters
from services.funds.payments.schemas import PaymentCreate, PaymentRead, PaymentRefund
from services.funds.vocabulary import EntryKind

router = UnitOfWorkRouter(prefix="/payments", tags=["payments"])


def _created(payment: Payment | SimpleNamespace) -> Response:
    """201 with the payment, its Location and ETag, serialized here once: FastAPI would
    validate the answer against the response model a second time (payments are the hot path)."""
    return Response(
        PaymentRead.of(payment).model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"Location": f"/api/v1/payments/{payment.id}", "ETag": etag(payment.version)},
    )


@router.post(
    "",
    status_code=201,
    response_model=PaymentRead,
    summary="Pay against a fund link, with a voucher (支付)",
)
async def pay(data: PaymentCreate, session: SessionDep, principal: Clerk) -> Response:
    return _created(await service.pay(session, principal, data))


@router.get("", response_model=Page[PaymentRead], summary="List payments (支付台账)")
async def list_payments(
    session: SessionDep,
    principal: Reader,
    project_id: uuid.UUID | None = None,
    link_id: uuid.UUID | None = None,
    kind: EntryKind | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PaymentRead]:
    after = decode_cursor(cursor, (CursorDate, uuid.UUID))
    rows = await service.list_payments(
        session,
        principal,
        PaymentFilters(project_id=project_id, link_id=link_id, kind=kind.value if kind else None),
        after=(after[0], after[1]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(rows, limit, lambda row: [row.paid_on.isoformat(), row.id])
    return Page[PaymentRead](items=[PaymentRead.of(row) for row in items], next_cursor=next_cursor)


@router.get("/{payment_id}", response_model=PaymentRead, summary="One payment (支付详情)")
async def get_payment(
    payment_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> PaymentRead:
    payment = await service.get_payment(session, principal, payment_id)
    set_etag(response, payment.version)
    return PaymentRead.of(payment)


@router.post(
    "/{payment_id}/refunds",
    status_code=201,
    response_model=PaymentRead,
    summary="Record a refund as a reversing payment (退款)",
)
async def refund(
    payment_id: uuid.UUID,
    data: PaymentRefund,
    session: SessionDep,
    principal: Clerk,
) -> Response:
    return _created(await service.refund(session, principal, payment_id, data))
