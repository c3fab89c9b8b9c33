"""What happens to an outstanding loan, each recorded as such (还款、展期、续贷、核销) and moving
the balance figures in the same transaction."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.errors import Conflict, InvalidInput, NotFound
from services.employment.figures import rollups as f
from services.employment.loans import acceptance, repository, schedule, terms
from services.employment.loans.schemas import (
    ExtensionCreate,
    RenewalCreate,
    RepaymentCreate,
    WriteOffCreate,
)
from services.employment.models import Loan, LoanInstallment
from services.employment.registry.client import PersonLookup
from services.employment.settings import EmploymentSettings
from services.employment.shared import add_months


async def outstanding_loan(session: AsyncSession, principal: Principal, loan_id: uuid.UUID) -> Loan:
    loan = await repository.get_loan(session, principal, loan_id, for_update=True)
    if loan is None:
        raise NotFound(f"No loan {loan_id}.")
    if loan.status != "outstanding":
        raise Conflict(
            f"The loan is {loan.status}; only an outstanding loan takes this.",
            code="loan_not_outstanding",
        )
    return loan


async def repay(
    session: AsyncSession, principal: Principal, loan_id: uuid.UUID, data: RepaymentCreate
) -> Loan:
    loan = await outstanding_loan(session, principal, loan_id)
    balance = loan.amount - loan.principal_repaid
    if data.amount > balance:
        raise InvalidInput.for_field(
            "body.amount",
            "repayment_over_balance",
            f"The loan's balance is {balance:.2f} yuan; a repayment cannot exceed it.",
        )
    if data.paid_on < loan.issue_date:
        raise InvalidInput.for_field(
            "body.paid_on", "repayment_before_issue", "A repayment comes after the issue date."
        )
    loan.principal_repaid += data.amount
    deltas: list[f.Delta] = [(loan.area_code, f.ALL_YEARS, f.LOAN_BALANCE, -data.amount)]
    if loan.principal_repaid == loan.amount:
        loan.status = "repaid"
        loan.closed_on = data.paid_on
        deltas.append((loan.area_code, f.ALL_YEARS, f.HOUSEHOLDS_LOAN_OUTSTANDING, -1))
    loan.version += 1
    await session.flush()
    await f.bump(session, deltas)
    acceptance.add_event(session, principal, loan, "repayment", data.paid_on, amount=data.amount)
    await acceptance.written(session, principal, loan, "repayment")
    return loan


async def extend(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    loan_id: uuid.UUID,
    data: ExtensionCreate,
) -> Loan:
    loan = await outstanding_loan(session, principal, loan_id)
    if loan.maturity_date != loan.original_maturity_date:
        raise Conflict("The loan has been extended once already.", code="loan_already_extended")
    if data.maturity_date <= loan.maturity_date:
        raise InvalidInput.for_field(
            "body.maturity_date",
            "extension_not_later",
            f"An extension moves the maturity later than {loan.maturity_date}.",
        )
    latest = add_months(loan.original_maturity_date, settings.loan_extension_max_months)
    if data.maturity_date > latest:
        raise InvalidInput.for_field(
            "body.maturity_date",
            "extension_too_long",
            f"An extension reaches at most {settings.loan_extension_max_months} months past "
            f"the original maturity: {latest}.",
        )
    current = (await repository.schedules_of(session, [loan.id]))[loan.id]
    await repository.replace_schedule(
        session,
        loan.id,
        schedule.extended(current, loan.amount, loan.principal_repaid, data.maturity_date),
    )
    loan.maturity_date = data.maturity_date
    loan.version += 1
    await session.flush()
    acceptance.add_event(
        session,
        principal,
        loan,
        "extension",
        data.maturity_date,
        maturity_date=data.maturity_date,
        note=data.reason,
    )
    await acceptance.written(session, principal, loan, "extension")
    return loan


async def renew(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    lookup: PersonLookup,
    loan_id: uuid.UUID,
    data: RenewalCreate,
) -> Loan:
    """The loan is closed as repaid by renewal and a new loan issued to the same borrower, after
    the monitoring service confirms the household again (503 if it cannot answer: a renewal
    waits for no one, the old loan simply stays outstanding)."""
    old = await outstanding_loan(session, principal, loan_id)
    amount = data.amount or old.amount
    rate = data.annual_rate if data.annual_rate is not None else old.annual_rate
    subsidy_rate = (
        data.interest_subsidy_rate
        if data.interest_subsidy_rate is not None
        else old.interest_subsidy_rate
    )
    terms.check_amount(settings, amount)
    terms.check_term(settings, data.term_months)
    terms.check_rates(rate, subsidy_rate)
    terms.check_borrower_age(settings, old.borrower_birth_date, data.issue_date, "body.issue_date")
    if data.issue_date < old.issue_date:
        raise InvalidInput.for_field(
            "body.issue_date", "renewal_before_issue", "A renewal comes after the loan's issue."
        )
    standing = await acceptance.judge(session, await lookup(old.borrower_index), except_loan=old.id)
    if standing.household_id != old.household_id:
        raise Conflict(
            "The borrower has moved to another household; apply for a new loan there.",
            code="borrower_household_changed",
        )
    balance = old.amount - old.principal_repaid
    old.principal_repaid = old.amount
    old.status = "repaid"
    old.closed_on = data.issue_date
    old.version += 1
    # The old loan leaves the outstanding ones before the new one joins them (one per household).
    await session.flush()
    maturity, plan = terms.planned_schedule(amount, data.issue_date, data.term_months, None)
    new = Loan(
        id=uuid.uuid4(),
        area_code=standing.area_code,
        status="outstanding",
        source="renewal",
        household_id=standing.household_id,
        borrower_member_id=standing.member_id,
        borrower_index=old.borrower_index,
        borrower_masked=old.borrower_masked,
        borrower_name=old.borrower_name,
        borrower_birth_date=old.borrower_birth_date,
        household_kind=standing.household_kind,
        monitoring_status=standing.monitoring_status,
        bank=data.bank or old.bank,
        amount=amount,
        term_months=data.term_months,
        annual_rate=rate,
        interest_subsidy_rate=subsidy_rate,
        issue_date=data.issue_date,
        maturity_date=maturity,
        original_maturity_date=maturity,
        principal_repaid=Decimal(0),
        renewed_from_id=old.id,
        check_attempts=1,
        version=1,
    )
    session.add(new)
    await session.flush()
    session.add_all(
        LoanInstallment(loan_id=new.id, seq=seq, due_date=i.due_date, principal=i.principal)
        for seq, i in enumerate(plan, start=1)
    )
    closed: list[f.Delta] = [
        (old.area_code, f.ALL_YEARS, f.LOAN_BALANCE, -balance),
        (old.area_code, f.ALL_YEARS, f.HOUSEHOLDS_LOAN_OUTSTANDING, -1),
    ]
    opened = await acceptance.issued(session, new, standing.household_id, renewal=True)
    await f.bump(session, closed + opened)
    acceptance.add_event(
        session, principal, old, "renewal", data.issue_date, amount=balance, related_loan_id=new.id
    )
    acceptance.add_event(
        session,
        principal,
        new,
        "issued",
        data.issue_date,
        amount=amount,
        related_loan_id=old.id,
        note="renewal",
    )
    await acceptance.written(session, principal, old, "renewal")
    await acceptance.written(session, principal, new, "create")
    return new


async def write_off(
    session: AsyncSession, principal: Principal, loan_id: uuid.UUID, data: WriteOffCreate
) -> Loan:
    loan = await outstanding_loan(session, principal, loan_id)
    if data.written_off_on < loan.issue_date:
        raise InvalidInput.for_field(
            "body.written_off_on", "write_off_before_issue", "A write-off comes after the issue."
        )
    remaining = loan.amount - loan.principal_repaid
    loan.status = "written_off"
    loan.closed_on = data.written_off_on
    loan.version += 1
    await session.flush()
    year = data.written_off_on.year
    await f.bump(
        session,
        [
            (loan.area_code, f.ALL_YEARS, f.LOAN_BALANCE, -remaining),
            (loan.area_code, f.ALL_YEARS, f.HOUSEHOLDS_LOAN_OUTSTANDING, -1),
            (loan.area_code, year, f.LOANS_WRITTEN_OFF, 1),
            (loan.area_code, year, f.AMOUNT_WRITTEN_OFF, remaining),
        ],
    )
    acceptance.add_event(
        session,
        principal,
        loan,
        "write_off",
        data.written_off_on,
        amount=remaining,
        note=data.reason,
    )
    await acceptance.written(session, principal, loan, "write_off")
    return loan
