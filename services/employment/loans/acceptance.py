"""What happens when the monitoring service has answered about a borrower: the household is
eligible and has no other outstanding loan (the loan is accepted and counted), or it is not
(the application is refused, or the request answered with the rule)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.errors import Conflict, DixianError, InvalidInput
from services.common.history import record_write
from services.employment.figures import rollups as f
from services.employment.loans import repository
from services.employment.models import Loan, LoanEvent
from services.employment.registry.client import PersonStanding
from services.employment.registry.eligibility import household_eligible

NUMBER_FIELD = "body.person_number"


def eligible(standing: PersonStanding | None) -> PersonStanding:
    """The standing of a borrower whose household may borrow; raises the rule broken."""
    if standing is None:
        raise InvalidInput.for_field(
            NUMBER_FIELD,
            "borrower_not_found",
            "No active household member with this ID number in your area's registry.",
        )
    if not household_eligible(standing):
        raise InvalidInput.for_field(
            NUMBER_FIELD,
            "borrower_not_eligible",
            "Microcredit is for exited-poverty or monitored households; this household is "
            f"{standing.household_kind} with monitoring status {standing.monitoring_status}.",
        )
    return standing


async def judge(
    session: AsyncSession,
    standing: PersonStanding | None,
    *,
    except_loan: uuid.UUID | None = None,
) -> PersonStanding:
    """`eligible`, and no other outstanding loan in the household (beside `except_loan`, the
    loan a renewal replaces)."""
    eligible_standing = eligible(standing)
    await check_one_loan(session, eligible_standing.household_id, except_loan=except_loan)
    return eligible_standing


async def check_no_conflict(
    session: AsyncSession, borrower_index: bytes, household_id: uuid.UUID | None
) -> None:
    """No application of the borrower waiting, no outstanding loan in the household: one
    question for both."""
    for loan_id, status in await repository.conflicts(session, borrower_index, household_id):
        if status == "pending_eligibility":
            raise Conflict(
                "This borrower has an application waiting for its eligibility check.",
                code="loan_application_pending",
                extra={"loan_id": str(loan_id)},
            )
        raise Conflict(
            f"The household has an outstanding loan ({loan_id}); one at a time.",
            code="household_has_outstanding_loan",
            extra={"loan_id": str(loan_id)},
        )


async def check_one_loan(
    session: AsyncSession, household_id: uuid.UUID, *, except_loan: uuid.UUID | None = None
) -> None:
    """One outstanding loan per household at a time (一户一贷)."""
    current = await repository.outstanding_loan_of(session, household_id)
    if current is not None and current != except_loan:
        raise Conflict(
            f"The household has an outstanding loan ({current}); one at a time.",
            code="household_has_outstanding_loan",
            extra={"loan_id": str(current)},
        )


async def accept(
    session: AsyncSession, principal: Principal, loan: Loan, standing: PersonStanding
) -> LoanEvent:
    """The loan becomes outstanding for the household and enters the figures."""
    loan.status = "outstanding"
    loan.area_code = standing.area_code
    loan.household_id = standing.household_id
    loan.borrower_member_id = standing.member_id
    loan.household_kind = standing.household_kind
    loan.monitoring_status = standing.monitoring_status
    loan.pending_reason = None
    loan.checked_at = datetime.now(UTC)
    await f.bump(session, await issued(session, loan, standing.household_id, renewal=False))
    return add_event(
        session,
        principal,
        loan,
        "issued",
        loan.issue_date,
        amount=loan.amount,
        note="eligibility confirmed by the monitoring service",
    )


async def issued(
    session: AsyncSession, loan: Loan, household_id: uuid.UUID, *, renewal: bool
) -> list[f.Delta]:
    """What a loan issued (new or renewed) adds to the figures of its household's village."""
    year = loan.issue_date.year
    deltas: list[f.Delta] = [
        (loan.area_code, f.ALL_YEARS, f.HOUSEHOLDS_LOAN_OUTSTANDING, 1),
        (loan.area_code, f.ALL_YEARS, f.LOAN_BALANCE, loan.amount),
    ]
    if renewal:
        deltas += [
            (loan.area_code, year, f.LOANS_RENEWED, 1),
            (loan.area_code, year, f.AMOUNT_RENEWED, loan.amount),
        ]
    else:
        deltas += [
            (loan.area_code, year, f.LOANS_NEW, 1),
            (loan.area_code, year, f.AMOUNT_LENT, loan.amount),
        ]
        if await repository.mark_new_loan_household(session, household_id, year, loan.area_code):
            deltas.append((loan.area_code, year, f.HOUSEHOLDS_NEW_LOAN, 1))
    return deltas


async def refuse(
    session: AsyncSession, principal: Principal, loan: Loan, problem: DixianError
) -> None:
    """A waiting application turned down after the check, with the rule it broke."""
    rule = problem.fields[0].rule if problem.fields else problem.code
    loan.status = "refused"
    loan.refusal_rule = rule
    loan.refusal_message = problem.detail[:300]
    loan.pending_reason = None
    loan.checked_at = datetime.now(UTC)
    add_event(session, principal, loan, "eligibility_refused", business_today(), note=rule)
    await session.flush()


def add_event(
    session: AsyncSession,
    principal: Principal,
    loan: Loan,
    kind: str,
    happened_on: date,
    *,
    amount: Decimal | None = None,
    maturity_date: date | None = None,
    related_loan_id: uuid.UUID | None = None,
    note: str | None = None,
) -> LoanEvent:
    """An event of the loan, written with the session's next flush."""
    event = LoanEvent(
        loan_id=loan.id,
        kind=kind,
        happened_on=happened_on,
        amount=amount,
        maturity_date=maturity_date,
        related_loan_id=related_loan_id,
        note=note,
        recorded_by=principal.subject,
        recorded_at=datetime.now(UTC),
    )
    session.add(event)
    return event


async def written(
    session: AsyncSession,
    principal: Principal,
    loan: Loan,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity="loan",
        entity_id=str(loan.id),
        area_code=loan.area_code,
        version=loan.version,
        action=action,
        fields=fields,
    )
