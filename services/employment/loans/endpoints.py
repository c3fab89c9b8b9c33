"""`/loans`: microcredit (脱贫人口小额信贷) applications, checks, repayments, extensions,
renewals and write-offs. Loans are entered by county staff for now (county approver, county
administrator); partner banks are not clients of their own yet."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Query, Request, Response

from services.common.audit import record_audit
from services.common.business_time import business_today
from services.common.concurrency import set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.errors import NotFound
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.employment.access import Lender, Reader
from services.employment.loans import application, events, repository
from services.employment.loans.reading import loan_read, read_loan, summaries
from services.employment.loans.schemas import (
    EligibilityBatch,
    EligibilityBatchResult,
    ExtensionCreate,
    LoanApplication,
    LoanRead,
    LoanSummary,
    RenewalCreate,
    RepaymentCreate,
    WriteOffCreate,
)
from services.employment.models import Loan
from services.employment.registry.client import person_lookup

router = UnitOfWorkRouter(tags=["microcredit"])
RETRY_AFTER_SECONDS = "60"
Status = Literal[
    "pending_eligibility", "outstanding", "overdue", "repaid", "written_off", "refused"
]


async def _answer(
    session: SessionDep, loan: Loan, response: Response, *, waiting: bool = False
) -> LoanRead:
    _headers(response, loan, waiting=waiting)
    return await read_loan(session, loan)


def _headers(response: Response, loan: Loan, *, waiting: bool) -> None:
    set_etag(response, loan.version)
    response.headers["Location"] = f"/api/v1/loans/{loan.id}"
    if waiting:
        response.status_code = 202
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS


@router.post(
    "/loans",
    status_code=201,
    response_model=LoanRead,
    responses={202: {"model": LoanRead, "description": "waiting for the eligibility check"}},
    summary="Apply for a microcredit loan (小额信贷申请), checked with the monitoring service",
    description=(
        "201 when the monitoring service confirms an exited-poverty or monitored household with "
        "no outstanding loan. 202 with status `pending_eligibility` and `pending_reason` when "
        "monitoring cannot answer; check again with `POST /loans/{id}/eligibility-check`. "
        "Rules: `loan_amount_over_cap`, `loan_term_over_cap`, `borrower_age`, "
        "`interest_subsidy_above_rate`, `schedule_*`, `borrower_not_found`, "
        "`borrower_not_eligible` (422); `household_has_outstanding_loan`, "
        "`loan_application_pending` (409)."
    ),
)
async def apply(
    data: LoanApplication,
    request: Request,
    session: SessionDep,
    principal: Lender,
    response: Response,
) -> LoanRead:
    applied = await application.apply(
        session,
        principal,
        request.app.state.settings,
        request.app.state.protector,
        person_lookup(request),
        data,
    )
    _headers(response, applied.loan, waiting=applied.waiting)
    return loan_read(applied.loan, applied.schedule, business_today(), applied.events)


@router.post(
    "/loans/eligibility-checks",
    response_model=EligibilityBatchResult,
    summary="Check the oldest waiting applications of your area again (批量资格复核)",
)
async def recheck_batch(
    data: EligibilityBatch, request: Request, session: SessionDep, principal: Lender
) -> EligibilityBatchResult:
    return await application.recheck_batch(
        session, principal, request.app.state.settings, person_lookup(request), data.limit
    )


@router.post(
    "/loans/{loan_id}/eligibility-check",
    response_model=LoanRead,
    responses={202: {"model": LoanRead, "description": "monitoring still cannot answer"}},
    summary="Check a waiting application again (资格复核)",
    description=(
        "200 with the loan `outstanding`, or `refused` with the rule it broke; 202 while the "
        "monitoring service still cannot answer; 409 `loan_not_pending` for any other loan."
    ),
)
async def recheck(
    loan_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: Lender,
    response: Response,
) -> LoanRead:
    checked = await application.recheck(session, principal, person_lookup(request), loan_id)
    return await _answer(session, checked.loan, response, waiting=checked.waiting)


@router.get("/loans", response_model=Page[LoanSummary], summary="List loans (贷款台账)")
async def list_loans(
    session: SessionDep,
    principal: Reader,
    status: Status | None = None,
    household_id: Annotated[uuid.UUID | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[LoanSummary]:
    after = decode_cursor(cursor, (str, uuid.UUID))
    rows = await repository.list_loans(
        session,
        principal,
        status=status,
        household_id=household_id,
        today=business_today(),
        after=(after[0], after[1]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(rows, limit, lambda row: [row.area_code, str(row.id)])
    return Page[LoanSummary](items=await summaries(session, items), next_cursor=next_cursor)


@router.get(
    "/loans/{loan_id}",
    response_model=LoanRead,
    summary="One loan with its schedule, events, balance and overdue amount (贷款详情)",
)
async def get_loan(
    loan_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> LoanRead:
    loan = await repository.get_loan(session, principal, loan_id)
    if loan is None:
        raise NotFound(f"No loan {loan_id}.")
    await record_audit(
        session,
        principal,
        action="read",
        entity="loan",
        entity_id=str(loan.id),
        area_code=loan.area_code,
    )
    set_etag(response, loan.version)
    return await read_loan(session, loan)


@router.post(
    "/loans/{loan_id}/repayments",
    response_model=LoanRead,
    summary="Record a repayment of principal (还款)",
)
async def repay(
    loan_id: uuid.UUID,
    data: RepaymentCreate,
    session: SessionDep,
    principal: Lender,
    response: Response,
) -> LoanRead:
    return await _answer(session, await events.repay(session, principal, loan_id, data), response)


@router.post(
    "/loans/{loan_id}/extension",
    response_model=LoanRead,
    summary="Extend a loan's maturity once (展期)",
)
async def extend(
    loan_id: uuid.UUID,
    data: ExtensionCreate,
    request: Request,
    session: SessionDep,
    principal: Lender,
    response: Response,
) -> LoanRead:
    loan = await events.extend(session, principal, request.app.state.settings, loan_id, data)
    return await _answer(session, loan, response)


@router.post(
    "/loans/{loan_id}/renewal",
    status_code=201,
    response_model=LoanRead,
    summary="Renew a loan (续贷): close it and issue a new one, checked again with monitoring",
)
async def renew(
    loan_id: uuid.UUID,
    data: RenewalCreate,
    request: Request,
    session: SessionDep,
    principal: Lender,
    response: Response,
) -> LoanRead:
    loan = await events.renew(
        session, principal, request.app.state.settings, person_lookup(request), loan_id, data
    )
    return await _answer(session, loan, response)


@router.post(
    "/loans/{loan_id}/write-off",
    response_model=LoanRead,
    summary="Write off what remains of a loan (核销)",
)
async def write_off(
    loan_id: uuid.UUID,
    data: WriteOffCreate,
    session: SessionDep,
    principal: Lender,
    response: Response,
) -> LoanRead:
    loan = await events.write_off(session, principal, loan_id, data)
    return await _answer(session, loan, response)
