"""Requests and answers of `/payments`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from types import SimpleNamespace
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlalchemy import Row

from services.funds.amounts import Amount, MoneyOut
from services.funds.models import Payment
from services.funds.schemas import Line, StrictModel, Text
from services.funds.vocabulary import EntryKind

Voucher = Annotated[Line, Field(max_length=100, description="Accounting voucher number (凭证号)")]


class PaymentCreate(StrictModel):
    """A payment against a link (支付), with its voucher. The project must be started (or
    completed, or accepted: final payments); the amount may not exceed what the link has unpaid."""

    link_id: uuid.UUID
    amount: Amount
    voucher_number: Voucher
    paid_on: date = Field(description="Voucher date (支付日期); not after today")
    payee: Annotated[Line, Field(max_length=200, description="收款单位")] | None = None
    note: Annotated[Text, Field(max_length=2000)] | None = None


class PaymentRefund(StrictModel):
    """Money paid coming back (退款): a reversing payment, the amount given positive, never more
    than what is left of the original payment."""

    amount: Amount
    voucher_number: Voucher
    refunded_on: date = Field(description="Voucher date of the refund; not before the payment")
    reason: Annotated[Text, Field(max_length=2000)]


class PaymentRead(BaseModel):
    id: uuid.UUID
    link_id: uuid.UUID
    project_id: uuid.UUID
    area_code: str
    county_code: str
    year: int
    kind: EntryKind = Field(description="`reversal` is a refund (退款)")
    refunds_id: uuid.UUID | None
    voucher_number: str
    paid_on: date
    payee: str | None
    note: str | None
    amount: MoneyOut
    effect: MoneyOut = Field(description="Negative for a refund")
    refunded: MoneyOut = Field(description="Originals: refunded so far")
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Payment | Row[Any] | SimpleNamespace) -> PaymentRead:
        return cls(
            id=row.id,
            link_id=row.link_id,
            project_id=row.project_id,
            area_code=row.area_code,
            county_code=row.county_code,
            year=row.year,
            kind=EntryKind(row.kind),
            refunds_id=row.refunds_id,
            voucher_number=row.voucher_number,
            paid_on=row.paid_on,
            payee=row.payee,
            note=row.note,
            amount=row.amount,
            effect=row.amount if row.kind == EntryKind.ORIGINAL else -row.amount,
            refunded=row.refunded,
            version=row.version,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
