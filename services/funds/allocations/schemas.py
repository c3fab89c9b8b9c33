"""Requests and answers of `/allocations`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from services.funds.amounts import Amount, MoneyOut
from services.funds.models import Allocation
from services.funds.schemas import AreaCode, Line, StrictModel, Text, Year
from services.funds.vocabulary import EntryKind, FundLevel


class AllocationCreate(StrictModel):
    """Funds allocated to a county by one level under one document (资金下达)."""

    area_code: AreaCode = Field(description="The receiving county (12 digits)")
    year: Year
    level: FundLevel = Field(
        description="中央 central, 省级 provincial, 市级 municipal, 县级 county"
    )
    document_number: Annotated[
        Line, Field(max_length=100, description="文号, e.g. 豫财农〔2026〕12号")
    ]
    issued_on: date = Field(description="Date of the document (下达日期); not after today")
    amount: Amount
    title: Annotated[Line, Field(max_length=200, description="资金名称")] | None = None


class AllocationReversal(StrictModel):
    """Part of an allocation taken back (冲销/收回): a new row with negative effect. The amount is
    given positive; it may not exceed what is still unlinked."""

    amount: Amount
    document_number: Annotated[Line, Field(max_length=100, description="The reversing document")]
    issued_on: date = Field(description="Date of the reversing document; not before the original")
    reason: Annotated[Text, Field(max_length=2000)]


class AllocationRead(BaseModel):
    id: uuid.UUID
    area_code: str
    year: int
    level: FundLevel
    document_number: str
    issued_on: date
    title: str | None
    kind: EntryKind
    reverses_id: uuid.UUID | None
    reason: str | None
    amount: MoneyOut = Field(description="As given, always positive")
    effect: MoneyOut = Field(description="What the row adds to the county: negative if a reversal")
    reversed: MoneyOut = Field(description="Originals: taken back by reversals so far")
    linked: MoneyOut = Field(description="Originals: given to projects so far (已对接)")
    available: MoneyOut = Field(description="Originals: amount - reversed - linked (可对接)")
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Allocation) -> AllocationRead:
        original = row.kind == EntryKind.ORIGINAL
        return cls(
            id=row.id,
            area_code=row.area_code,
            year=row.year,
            level=FundLevel(row.level),
            document_number=row.document_number,
            issued_on=row.issued_on,
            title=row.title,
            kind=EntryKind(row.kind),
            reverses_id=row.reverses_id,
            reason=row.reason,
            amount=row.amount,
            effect=row.amount if original else -row.amount,
            reversed=row.reversed,
            linked=row.linked,
            available=row.amount - row.reversed - row.linked if original else Decimal(0),
            version=row.version,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
