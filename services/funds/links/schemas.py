"""Requests and answers of `/fund-links`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from services.funds.amounts import Amount, MoneyOut
from services.funds.models import FundLink
from services.funds.schemas import StrictModel, Text
from services.funds.vocabulary import EntryKind, ProjectCategory


class LinkCreate(StrictModel):
    """Give part of an allocation to a project of the same county (资金对接). The project must be
    approved or started; the amount may not exceed what is left of the allocation."""

    allocation_id: uuid.UUID
    project_id: uuid.UUID
    amount: Amount
    linked_on: date | None = Field(None, description="Date of the linking; today when left out")
    note: Annotated[Text, Field(max_length=2000)] | None = None


class LinkReversal(StrictModel):
    """Reduce a link (资金对接调减): the amount, given positive, returns to the allocation. It may
    not exceed what is linked and not yet paid."""

    amount: Amount
    reversed_on: date | None = Field(None, description="Today when left out")
    reason: Annotated[Text, Field(max_length=2000)]


class LinkRead(BaseModel):
    id: uuid.UUID
    allocation_id: uuid.UUID
    project_id: uuid.UUID
    area_code: str = Field(description="The project's place")
    county_code: str
    year: int = Field(description="The allocation's fund year")
    category: ProjectCategory = Field(description="The project's category")
    kind: EntryKind
    reverses_id: uuid.UUID | None
    linked_on: date
    note: str | None
    amount: MoneyOut
    effect: MoneyOut = Field(description="Negative for a reversal")
    reversed: MoneyOut
    paid: MoneyOut
    unpaid: MoneyOut = Field(description="Originals: amount - reversed - paid (可支付)")
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: FundLink) -> LinkRead:
        original = row.kind == EntryKind.ORIGINAL
        return cls(
            id=row.id,
            allocation_id=row.allocation_id,
            project_id=row.project_id,
            area_code=row.area_code,
            county_code=row.county_code,
            year=row.year,
            category=ProjectCategory(row.category),
            kind=EntryKind(row.kind),
            reverses_id=row.reverses_id,
            linked_on=row.linked_on,
            note=row.note,
            amount=row.amount,
            effect=row.amount if original else -row.amount,
            reversed=row.reversed,
            paid=row.paid,
            unpaid=row.amount - row.reversed - row.paid if original else Decimal(0),
            version=row.version,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
