"""Loans as answered: the stored status turned `overdue` when the schedule is behind today,
with balance, overdue amount and days computed from the schedule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.business_time import business_today
from services.employment.loans import repository
from services.employment.loans.schedule import Installment, overdue
from services.employment.loans.schemas import (
    EventRead,
    InstallmentRead,
    LoanRead,
    LoanSummary,
    Refusal,
)
from services.employment.models import Loan


def shown_status(loan: Loan, behind: bool) -> str:
    return "overdue" if loan.status == "outstanding" and behind else loan.status


async def read_loan(session: AsyncSession, loan: Loan, *, with_events: bool = True) -> LoanRead:
    schedule = (await repository.schedules_of(session, [loan.id]))[loan.id]
    events = await repository.events_of(session, loan.id) if with_events else None
    return loan_read(loan, schedule, business_today(), events)


def loan_read(
    loan: Loan,
    schedule: Sequence[Installment],
    today: date,
    events: Sequence[object] | None = None,
) -> LoanRead:
    behind = overdue(schedule, loan.principal_repaid, today)
    outstanding = loan.status == "outstanding"
    return LoanRead(
        id=loan.id,
        status=shown_status(loan, behind.amount > 0),
        area_code=loan.area_code,
        source=loan.source,
        household_id=loan.household_id,
        borrower=loan.borrower_masked,
        borrower_name=loan.borrower_name,
        household_kind=loan.household_kind,
        monitoring_status=loan.monitoring_status,
        bank=loan.bank,
        amount=loan.amount,
        term_months=loan.term_months,
        annual_rate=loan.annual_rate,
        interest_subsidy_rate=loan.interest_subsidy_rate,
        issue_date=loan.issue_date,
        maturity_date=loan.maturity_date,
        original_maturity_date=loan.original_maturity_date,
        principal_repaid=loan.principal_repaid,
        balance=loan.amount - loan.principal_repaid if outstanding else 0,
        overdue_amount=behind.amount if outstanding else 0,
        overdue_days=behind.days if outstanding else 0,
        closed_on=loan.closed_on,
        renewed_from_id=loan.renewed_from_id,
        pending_reason=loan.pending_reason,
        refusal=(
            Refusal(rule=loan.refusal_rule, message=loan.refusal_message or "")
            if loan.refusal_rule
            else None
        ),
        check_attempts=loan.check_attempts,
        checked_at=loan.checked_at,
        schedule=[
            InstallmentRead(seq=seq, due_date=i.due_date, principal=i.principal)
            for seq, i in enumerate(schedule, start=1)
        ],
        events=(
            [EventRead.model_validate(event, from_attributes=True) for event in events]
            if events is not None
            else None
        ),
        version=loan.version,
        created_at=loan.created_at,
        updated_at=loan.updated_at,
    )


async def summaries(session: AsyncSession, loans: Sequence[Loan]) -> list[LoanSummary]:
    schedules = await repository.schedules_of(session, [loan.id for loan in loans])
    today = business_today()
    answers = []
    for loan in loans:
        behind = overdue(schedules[loan.id], loan.principal_repaid, today)
        answers.append(
            LoanSummary(
                id=loan.id,
                status=shown_status(loan, behind.amount > 0),
                area_code=loan.area_code,
                household_id=loan.household_id,
                borrower=loan.borrower_masked,
                borrower_name=loan.borrower_name,
                bank=loan.bank,
                amount=loan.amount,
                balance=loan.amount - loan.principal_repaid if loan.status == "outstanding" else 0,
                issue_date=loan.issue_date,
                maturity_date=loan.maturity_date,
                pending_reason=loan.pending_reason,
                version=loan.version,
            )
        )
    return answers
