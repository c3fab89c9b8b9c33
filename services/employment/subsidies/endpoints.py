"""`/subsidies`: transport subsidies (交通补贴) and vocational-study subsidies (雨露计划)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Query, Request

from services.common.audit import record_audit
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.employment.access import Reader, Recorder
from services.employment.registry.client import person_lookup
from services.employment.subsidies import repository, service
from services.employment.subsidies.schemas import (
    StudySubsidyCreate,
    SubsidyRead,
    TransportSubsidyCreate,
)

router = UnitOfWorkRouter(tags=["subsidies"])


@router.post(
    "/subsidies/transport",
    status_code=201,
    response_model=SubsidyRead,
    summary="Pay the one-time transport subsidy for out-of-province work (外出务工交通补贴)",
    description=(
        "Needs the configured months of out-of-province work in the year "
        "(`transport_subsidy_not_eligible`); at most once per person and year (409 "
        "`subsidy_already_paid`). The amount is `EMPLOYMENT_TRANSPORT_SUBSIDY_AMOUNT`."
    ),
)
async def pay_transport(
    data: TransportSubsidyCreate, request: Request, session: SessionDep, principal: Recorder
) -> SubsidyRead:
    subsidy = await service.pay_transport(session, principal, request.app.state.settings, data)
    return SubsidyRead.model_validate(subsidy)


@router.post(
    "/subsidies/study",
    status_code=201,
    response_model=SubsidyRead,
    summary="Pay the vocational-study subsidy (雨露计划, 3,000 yuan a year)",
    description=(
        "For a member of an exited-poverty or monitored household, confirmed by the monitoring "
        "service (`student_not_eligible`); at most once per person and year (409 "
        "`subsidy_already_paid`)."
    ),
)
async def pay_study(
    data: StudySubsidyCreate, request: Request, session: SessionDep, principal: Recorder
) -> SubsidyRead:
    subsidy = await service.pay_study(
        session,
        principal,
        request.app.state.settings,
        request.app.state.protector,
        person_lookup(request),
        data,
    )
    return SubsidyRead.model_validate(subsidy)


@router.get(
    "/subsidies", response_model=Page[SubsidyRead], summary="Subsidies paid in a year (补贴发放)"
)
async def list_subsidies(
    session: SessionDep,
    principal: Reader,
    year: Annotated[int, Query(ge=2000, le=2200)],
    kind: Literal["transport", "study"] | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[SubsidyRead]:
    after = decode_cursor(cursor, (str, uuid.UUID))
    rows = await repository.list_subsidies(
        session,
        principal,
        year=year,
        kind=kind,
        after=(after[0], after[1]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(rows, limit, lambda row: [row.area_code, str(row.id)])
    return Page[SubsidyRead](
        items=[SubsidyRead.model_validate(row) for row in items], next_cursor=next_cursor
    )


@router.get("/subsidies/{subsidy_id}", response_model=SubsidyRead, summary="One subsidy (补贴详情)")
async def get_subsidy(subsidy_id: uuid.UUID, session: SessionDep, principal: Reader) -> SubsidyRead:
    subsidy = await service.get_subsidy(session, principal, subsidy_id)
    await record_audit(
        session,
        principal,
        action="read",
        entity="subsidy",
        entity_id=str(subsidy.id),
        area_code=subsidy.area_code,
    )
    return SubsidyRead.model_validate(subsidy)
