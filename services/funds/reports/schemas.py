"""The progress report's answer (JSON); CSV and XLSX carry the same rows."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from services.funds.amounts import MoneyOut
from services.funds.rules.schemas import StandingRead


class ProgressRow(BaseModel):
    county_code: str | None = Field(description="null on the total row (合计)")
    allocated: MoneyOut = Field(description="下达资金, net of reversals")
    allocated_central: MoneyOut
    allocated_provincial: MoneyOut
    allocated_municipal: MoneyOut
    allocated_county: MoneyOut
    linked: MoneyOut = Field(description="已对接, net of reductions")
    linked_industry: MoneyOut = Field(description="linked to industry projects (产业项目)")
    paid: MoneyOut = Field(description="已支付, net of refunds")
    standing: StandingRead


class ProgressReport(BaseModel):
    title: str
    area: str
    year: int
    as_of: date
    generated_at: datetime
    rows: list[ProgressRow] = Field(description="One per county with entries, by code")
    total: ProgressRow
