"""Request and response models of loans. The borrower's ID number leaves only masked."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

from services.common.money import Money
from services.employment.shared import Day, PersonNumberInput, StrictModel, Text50, Text100, Text300

Percent = Annotated[
    Decimal,
    Field(ge=0, le=100, max_digits=6, decimal_places=3, description='percent a year, e.g. "3.45"'),
    PlainSerializer(
        lambda value: f"{value:.3f}".rstrip("0").rstrip("."), return_type=str, when_used="json"
    ),
]
Amount = Annotated[Money, Field(gt=0)]


class InstallmentInput(StrictModel):
    due_date: Day
    principal: Amount


class LoanTerms(StrictModel):
    bank: Text100 = Field(description="the lending bank (放贷银行)")
    amount: Amount = Field(description="principal in yuan, at most the cap (50,000 by default)")
    term_months: int = Field(ge=1, le=600, description="at most the cap (36 by default)")
    annual_rate: Percent
    interest_subsidy_rate: Percent = Field(
        description="the part of the rate the county pays (贴息)"
    )
    issue_date: Day = Field(description="放款日期")
    schedule: list[InstallmentInput] | None = Field(
        None, description="principal due dates; by default all at maturity (到期一次性还本)"
    )


class LoanApplication(LoanTerms):
    """A loan to a household (脱贫人口小额信贷), through one borrower aged 18 to 65."""

    person_number: PersonNumberInput = Field(description="the borrower's ID number")
    borrower_name: Text50


class RenewalCreate(StrictModel):
    """A renewal (续贷): the loan is closed and a new one issued to the same borrower."""

    issue_date: Day
    term_months: int = Field(ge=1, le=600)
    amount: Amount | None = Field(None, description="by default the amount of the loan renewed")
    annual_rate: Percent | None = None
    interest_subsidy_rate: Percent | None = None
    bank: Text100 | None = None


class RepaymentCreate(StrictModel):
    """A repayment of principal (还款)."""

    paid_on: Day
    amount: Amount


class ExtensionCreate(StrictModel):
    """An extension (展期): the maturity moves later, once, within the configured months."""

    maturity_date: Day
    reason: Text300


class WriteOffCreate(StrictModel):
    """A write-off (核销) of what remains."""

    written_off_on: Day
    reason: Text300


class EligibilityBatch(StrictModel):
    limit: int = Field(100, ge=1, le=500)


class InstallmentRead(BaseModel):
    seq: int
    due_date: date
    principal: Money


class EventRead(BaseModel):
    kind: str
    happened_on: date
    amount: Money | None
    maturity_date: date | None
    related_loan_id: uuid.UUID | None
    note: str | None
    recorded_by: str
    recorded_at: datetime


class Refusal(BaseModel):
    rule: str
    message: str


class LoanRead(BaseModel):
    id: uuid.UUID
    status: str = Field(
        description="pending_eligibility, outstanding, overdue, repaid, written_off or refused"
    )
    area_code: str
    source: str
    household_id: uuid.UUID | None
    borrower: str = Field(description="masked ID number")
    borrower_name: str
    household_kind: str | None
    monitoring_status: str | None
    bank: str
    amount: Money
    term_months: int
    annual_rate: Percent
    interest_subsidy_rate: Percent
    issue_date: date
    maturity_date: date
    original_maturity_date: date
    principal_repaid: Money
    balance: Money
    overdue_amount: Money
    overdue_days: int
    closed_on: date | None
    renewed_from_id: uuid.UUID | None
    pending_reason: str | None
    refusal: Refusal | None
    check_attempts: int
    checked_at: datetime | None
    schedule: list[InstallmentRead]
    events: list[EventRead] | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class LoanSummary(BaseModel):
    id: uuid.UUID
    status: str
    area_code: str
    household_id: uuid.UUID | None
    borrower: str
    borrower_name: str
    bank: str
    amount: Money
    balance: Money
    issue_date: date
    maturity_date: date
    pending_reason: str | None
    version: int


class CheckOutcome(BaseModel):
    loan_id: uuid.UUID
    status: str
    rule: str | None = None
    reason: str | None = None


class EligibilityBatchResult(BaseModel):
    checked: int
    accepted: int
    refused: int
    still_pending: int
    outcomes: list[CheckOutcome]
