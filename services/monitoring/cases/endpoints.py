"""`/cases`: identification (识别纳入) and risk elimination (风险消除), step by step."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from services.common.auth.dependencies import require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import PERSON_ROLES, Role
from services.common.business_time import business_today
from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.errors import InvalidInput
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.monitoring.cases import repository, service
from services.monitoring.cases.schemas import (
    AnyProcedure,
    CaseDetail,
    CaseOpen,
    CaseRead,
    CaseState,
    CaseStepAction,
)
from services.monitoring.codes.book import code_book
from services.monitoring.settings import MonitoringSettings

router = UnitOfWorkRouter(prefix="/cases", tags=["cases"])

OPENERS = (Role.VILLAGE_OFFICER, Role.COUNTY_ADMIN, Role.ADMINISTRATOR)
READERS = (*sorted(PERSON_ROLES), Role.PROVINCE_SYSTEM)
Opener = Annotated[Principal, Depends(require_roles(*OPENERS))]
# Every reader may reach the step route; which role takes which step is the case's rule.
Reader = Annotated[Principal, Depends(require_roles(*READERS))]


@router.post(
    "",
    status_code=201,
    response_model=CaseDetail,
    summary="Open an identification (识别纳入) or risk-elimination (风险消除) case",
    description=(
        "The deadline (办理时限) is `opened_on` plus `MONITORING_IDENTIFICATION_DEADLINE_DAYS` "
        "or `MONITORING_ELIMINATION_DEADLINE_DAYS` (15 days by default), fixed at opening. An "
        "elimination whose rules are unmet is refused, every unmet rule named (422 "
        "`elimination_rules_unmet`). A case from a department warning (部门预警) is opened on "
        "the warning, `POST /warnings/{id}/case`, which counts the warning converted; "
        "`source=department_warning` is refused here (422, `body.source`, rule "
        "`use_warning_route`)."
    ),
)
async def open_case(
    data: CaseOpen, request: Request, session: SessionDep, principal: Opener, response: Response
) -> CaseDetail:
    book = await code_book(request, session)
    settings: MonitoringSettings = request.app.state.settings
    case, steps = await service.open_case(session, principal, data, book, settings)
    set_etag(response, case.version)
    response.headers["Location"] = f"/api/v1/cases/{case.id}"
    return CaseDetail.with_steps(case, steps, business_today(), settings.notice_days)


@router.get("", response_model=Page[CaseRead], summary="List cases in your area (案件列表)")
async def list_cases(
    request: Request,
    session: SessionDep,
    principal: Reader,
    state: CaseState | None = None,
    procedure: AnyProcedure | None = None,
    household_id: uuid.UUID | None = None,
    overdue: Annotated[
        bool | None, Query(description="Open and past the deadline (超期), or not")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CaseRead]:
    today = business_today()
    cases = await repository.list_cases(
        session,
        principal,
        filters={
            "state": state,
            "procedure": procedure,
            "household_id": household_id,
            "overdue": overdue,
        },
        today=today,
        after=_after(cursor),
        limit=limit + 1,
    )
    items, next_cursor = page_of(cases, limit, lambda case: [case.opened_on, case.id])
    notice_days = request.app.state.settings.notice_days
    return Page[CaseRead](
        items=[CaseRead.of(case, today, notice_days) for case in items], next_cursor=next_cursor
    )


@router.get("/{case_id}", response_model=CaseDetail, summary="One case with its steps (案件详情)")
async def get_case(
    case_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: Reader,
    response: Response,
) -> CaseDetail:
    case, steps = await service.read_case(session, principal, case_id)
    set_etag(response, case.version)
    notice_days = request.app.state.settings.notice_days
    return CaseDetail.with_steps(case, steps, business_today(), notice_days)


@router.post(
    "/{case_id}/steps",
    response_model=CaseDetail,
    summary="Complete, send back (退回) or reject the current step of a case, with If-Match",
    description=(
        "The township completes its review once the public notice (公示) has run "
        "`MONITORING_NOTICE_DAYS` (5 by default; 422 `notice_period_running` before). The "
        "county's approval of an elimination checks its rules again on the household as it is "
        "then (422 `elimination_rules_unmet`, nothing written)."
    ),
)
async def act_on_case(
    case_id: uuid.UUID,
    data: CaseStepAction,
    version: IfMatchVersion,
    request: Request,
    session: SessionDep,
    principal: Reader,
    response: Response,
) -> CaseDetail:
    settings: MonitoringSettings = request.app.state.settings
    case, steps = await service.act_on_case(session, principal, case_id, data, version, settings)
    set_etag(response, case.version)
    return CaseDetail.with_steps(case, steps, business_today(), settings.notice_days)


def _after(cursor: str | None) -> tuple[date, uuid.UUID] | None:
    after = decode_cursor(cursor, (str, uuid.UUID))
    if after is None:
        return None
    try:
        return date.fromisoformat(after[0]), after[1]
    except ValueError as exc:
        raise InvalidInput.for_field(
            "query.cursor", "cursor_invalid", "The cursor is not one this list handed out."
        ) from exc
