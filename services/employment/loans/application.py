"""Applying for a loan, and checking a waiting application again.

An application is never accepted unchecked: the monitoring service must confirm that the
borrower is an active member of an exited-poverty or monitored household in the caller's area.
When monitoring cannot answer (unreachable, timed out, failing), the application is kept in
`pending_eligibility` with the reason, and answered 202; `recheck` (one) or `recheck_batch`
(the oldest waiting ones of the area) complete it once monitoring answers. A re-check runs
with the identity of whoever asks, since monitoring answers within the asker's area.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.errors import Conflict, DixianError, InvalidInput, NotFound
from services.common.personal_data import InvalidPersonNumber, Protector, parse_person_number
from services.common.personal_data.masking import mask_person_number
from services.employment.loans import acceptance, repository, terms
from services.employment.loans.schedule import Installment
from services.employment.loans.schemas import (
    CheckOutcome,
    EligibilityBatchResult,
    LoanApplication,
)
from services.employment.models import Loan, LoanEvent, LoanInstallment
from services.employment.registry.client import MonitoringUnavailable, PersonLookup, PersonStanding
from services.employment.settings import EmploymentSettings


@dataclass(frozen=True)
class Applied:
    """A loan after an application or a check; `schedule` and `events` are what this request
    wrote (an application answers from them without reading them back)."""

    loan: Loan
    waiting: bool
    schedule: list[Installment] = field(default_factory=list)
    events: list[LoanEvent] = field(default_factory=list)


async def apply(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    protector: Protector,
    lookup: PersonLookup,
    data: LoanApplication,
) -> Applied:
    try:
        number = parse_person_number(data.person_number)
    except InvalidPersonNumber as error:
        raise InvalidInput.for_field(acceptance.NUMBER_FIELD, error.rule, error.message) from None
    terms.check_amount(settings, data.amount)
    terms.check_term(settings, data.term_months)
    terms.check_rates(data.annual_rate, data.interest_subsidy_rate)
    terms.check_borrower_age(settings, number.birth_date, data.issue_date, acceptance.NUMBER_FIELD)
    given = [Installment(i.due_date, i.principal) for i in data.schedule] if data.schedule else None
    maturity, schedule = terms.planned_schedule(
        data.amount, data.issue_date, data.term_months, given
    )
    index = protector.person_number_index(number.number)
    standing: PersonStanding | None = None
    reason: str | None = None
    try:
        standing = acceptance.eligible(await lookup(index))
    except MonitoringUnavailable as unavailable:
        reason = unavailable.reason
    await acceptance.check_no_conflict(session, index, standing.household_id if standing else None)
    loan = Loan(
        id=uuid.uuid4(),
        area_code=principal.area,
        status="pending_eligibility",
        source="application",
        borrower_index=index,
        borrower_masked=mask_person_number(number.number),
        borrower_name=data.borrower_name,
        borrower_birth_date=number.birth_date,
        bank=data.bank,
        amount=data.amount,
        term_months=data.term_months,
        annual_rate=data.annual_rate,
        interest_subsidy_rate=data.interest_subsidy_rate,
        issue_date=data.issue_date,
        maturity_date=maturity,
        original_maturity_date=maturity,
        principal_repaid=0,
        check_attempts=1,
        checked_at=datetime.now(UTC),
        pending_reason=_waiting(reason) if reason else None,
        version=1,
    )
    session.add(loan)
    events = []
    if standing is not None:
        events.append(await acceptance.accept(session, principal, loan, standing))
    session.add_all(
        LoanInstallment(loan_id=loan.id, seq=seq, due_date=i.due_date, principal=i.principal)
        for seq, i in enumerate(schedule, start=1)
    )
    await session.flush()
    await acceptance.written(session, principal, loan, "create")
    return Applied(loan, waiting=standing is None, schedule=schedule, events=events)


async def recheck(
    session: AsyncSession, principal: Principal, lookup: PersonLookup, loan_id: uuid.UUID
) -> Applied:
    loan = await repository.get_loan(session, principal, loan_id, for_update=True)
    if loan is None:
        raise NotFound(f"No loan {loan_id}.")
    if loan.status != "pending_eligibility":
        raise Conflict(
            f"The loan is {loan.status}; only a waiting application is checked again.",
            code="loan_not_pending",
        )
    try:
        standing = await lookup(loan.borrower_index)
    except MonitoringUnavailable as unavailable:
        await _still_waiting(session, principal, loan, unavailable.reason)
        return Applied(loan, waiting=True)
    await _decide(session, principal, loan, standing)
    return Applied(loan, waiting=False)


async def recheck_batch(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    lookup: PersonLookup,
    limit: int,
) -> EligibilityBatchResult:
    """Check the oldest waiting applications of the area: the questions to monitoring run a
    few at a time, the answers are written one by one in this transaction."""
    loans = await repository.pending_in_scope(session, principal, limit)
    gate = asyncio.Semaphore(settings.eligibility_check_concurrency)

    async def ask(loan: Loan) -> PersonStanding | MonitoringUnavailable | None:
        async with gate:
            try:
                return await lookup(loan.borrower_index)
            except MonitoringUnavailable as unavailable:
                return unavailable

    answers = await asyncio.gather(*(ask(loan) for loan in loans))
    outcomes = []
    for loan, answer in zip(loans, answers, strict=True):
        if isinstance(answer, MonitoringUnavailable):
            await _still_waiting(session, principal, loan, answer.reason)
            outcomes.append(CheckOutcome(loan_id=loan.id, status=loan.status, reason=answer.reason))
            continue
        await _decide(session, principal, loan, answer)
        outcomes.append(CheckOutcome(loan_id=loan.id, status=loan.status, rule=loan.refusal_rule))
    return EligibilityBatchResult(
        checked=len(outcomes),
        accepted=sum(o.status == "outstanding" for o in outcomes),
        refused=sum(o.status == "refused" for o in outcomes),
        still_pending=sum(o.status == "pending_eligibility" for o in outcomes),
        outcomes=outcomes,
    )


async def _decide(
    session: AsyncSession, principal: Principal, loan: Loan, standing: PersonStanding | None
) -> None:
    loan.check_attempts += 1
    loan.version += 1
    try:
        eligible = await acceptance.judge(session, standing)
    except DixianError as problem:
        await acceptance.refuse(session, principal, loan, problem)
        await acceptance.written(session, principal, loan, "eligibility_refused")
        return
    await acceptance.accept(session, principal, loan, eligible)
    await acceptance.written(session, principal, loan, "eligibility_confirmed")


async def _still_waiting(
    session: AsyncSession, principal: Principal, loan: Loan, reason: str
) -> None:
    loan.check_attempts += 1
    loan.checked_at = datetime.now(UTC)
    loan.pending_reason = _waiting(reason)
    loan.version += 1
    await session.flush()
    await acceptance.written(session, principal, loan, "eligibility_check_failed")


def _waiting(reason: str) -> str:
    return f"waiting for the monitoring service to confirm the household: {reason}"
