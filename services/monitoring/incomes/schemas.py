from __future__ import annotations

import uuid
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from services.common.money import Money, to_cents


class IncomeInput(BaseModel):
    """A household's income over one year; send every field (PUT replaces)."""

    model_config = ConfigDict(extra="forbid")

    wages: Money
    business_net: Money
    property_income: Money
    transfers: Money
    compliant_costs: Money


class IncomeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    household_id: uuid.UUID
    year: int
    wages: Money
    business_net: Money
    property_income: Money
    transfers: Money
    compliant_costs: Money
    members_counted: int
    per_capita_net: Money
    version: int


class LineInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money


class LineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    province_code: str
    year: int
    amount: Money
    version: int


def per_capita(data: IncomeInput, members: int) -> Decimal:
    total = (
        data.wages
        + data.business_net
        + data.property_income
        + data.transfers
        - data.compliant_costs
    )
    return to_cents(total / members) if members else to_cents(total)
