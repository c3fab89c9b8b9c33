"""Help plans (帮扶计划) and help measures (帮扶措施) of a household, and who is behind on them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Depends, Header, Request, Response

from services.common.auth.dependencies import require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import PERSON_ROLES, Role
from services.common.business_time import business_today
from services.common.concurrency import set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, CursorDate, Limit, Page, decode_cursor, page_of
from services.monitoring.codes.book import code_book
from services.monitoring.models import HelpMeasure, Household
from services.monitoring.plans import service
from services.monitoring.plans.repository import HouseholdKey
from services.monitoring.plans.schemas import (
    HelpPlanRead,
    HelpPlanWrite,
    HouseholdBehind,
    MeasureCreate,
    MeasureRead,
)

router = UnitOfWorkRouter(tags=["help plans"])

HELP_WRITERS = (
    Role.VILLAGE_OFFICER,
    Role.TOWNSHIP_REVIEWER,
    Role.COUNTY_APPROVER,
    Role.COUNTY_ADMIN,
    Role.ADMINISTRATOR,
)
Writer = Annotated[Principal, Depends(require_roles(*HELP_WRITERS))]
Reader = Annotated[Principal, Depends(require_roles(*PERSON_ROLES))]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="Needed to replace an existing plan: its `version` (版本号).",
    ),
]


@router.get(
    "/help-plans/overdue",
    response_model=Page[HouseholdBehind],
    summary="Monitored households without a help plan 10 days after approval (帮扶计划逾期)",
    description=(
        "Listed once more than `MONITORING_PLAN_DAYS` (10 by default) have passed since the "
        "county's approval (`identified_on`)."
    ),
)
async def list_overdue_plans(
    request: Request,
    session: SessionDep,
    principal: Reader,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[HouseholdBehind]:
    today = business_today()
    households = await service.plans_overdue(
        session,
        principal,
        request.app.state.settings,
        today=today,
        after=_household_key(cursor),
        limit=limit + 1,
    )
    return _behind_page(households, limit, today)


@router.get(
    "/households/without-measures",
    response_model=Page[HouseholdBehind],
    summary="Monitored households without any measure a month after approval (无帮扶措施预警)",
    description=(
        "Listed once more than `MONITORING_MEASURE_DAYS` (30 by default) have passed since the "
        "county's approval (`identified_on`) without any measure."
    ),
)
async def list_households_without_measures(
    request: Request,
    session: SessionDep,
    principal: Reader,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[HouseholdBehind]:
    today = business_today()
    households = await service.households_without_measures(
        session,
        principal,
        request.app.state.settings,
        today=today,
        after=_household_key(cursor),
        limit=limit + 1,
    )
    return _behind_page(households, limit, today)


@router.put(
    "/households/{household_id}/help-plan",
    response_model=HelpPlanRead,
    summary="Record or replace the help plan and its helper (录入帮扶计划、帮扶责任人)",
    responses={201: {"model": HelpPlanRead, "description": "The plan was created"}},
)
async def put_help_plan(
    household_id: uuid.UUID,
    data: HelpPlanWrite,
    request: Request,
    session: SessionDep,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> HelpPlanRead:
    plan, created = await service.put_plan(
        session, principal, request.app.state.protector, household_id, data, if_match
    )
    if created:
        response.status_code = 201
        response.headers["Location"] = f"/api/v1/households/{household_id}/help-plan"
    set_etag(response, plan.version)
    return HelpPlanRead.model_validate(plan)


@router.get(
    "/households/{household_id}/help-plan",
    response_model=HelpPlanRead,
    summary="The household's help plan (帮扶计划)",
)
async def get_help_plan(
    household_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> HelpPlanRead:
    plan = await service.read_plan(session, principal, household_id)
    set_etag(response, plan.version)
    return HelpPlanRead.model_validate(plan)


@router.post(
    "/households/{household_id}/measures",
    status_code=201,
    response_model=MeasureRead,
    summary="Add a help measure, one policy enjoyed (新增帮扶措施、享受政策)",
)
async def add_measure(
    household_id: uuid.UUID,
    data: MeasureCreate,
    request: Request,
    session: SessionDep,
    principal: Writer,
    response: Response,
) -> MeasureRead:
    book = await code_book(request, session)
    measure = await service.add_measure(session, principal, book, household_id, data)
    set_etag(response, measure.version)
    return MeasureRead.model_validate(measure)


@router.get(
    "/households/{household_id}/measures",
    response_model=Page[MeasureRead],
    summary="The household's help measures, newest first (帮扶措施)",
)
async def list_measures(
    household_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[MeasureRead]:
    after = decode_cursor(cursor, (CursorDate, uuid.UUID))
    measures = await service.list_measures(
        session,
        principal,
        household_id,
        after=(after[0], after[1]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(measures, limit, _measure_key)
    return Page[MeasureRead](
        items=[MeasureRead.model_validate(measure) for measure in items], next_cursor=next_cursor
    )


def _measure_key(measure: HelpMeasure) -> list[object]:
    return [measure.started_on.isoformat(), str(measure.id)]


def _household_key(cursor: str | None) -> HouseholdKey | None:
    after = decode_cursor(cursor, (str, str, uuid.UUID))
    return (after[0], after[1], after[2]) if after else None


def _behind_page(households: list[Household], limit: int, today: date) -> Page[HouseholdBehind]:
    items, next_cursor = page_of(
        households,
        limit,
        lambda household: [household.area_code, household.head_name, household.id],
    )
    return Page[HouseholdBehind](
        items=[_behind(household, today) for household in items], next_cursor=next_cursor
    )


def _behind(household: Household, today: date) -> HouseholdBehind:
    identified_on = household.identified_on or today  # never None: the query compares it
    return HouseholdBehind(
        household_id=household.id,
        area_code=household.area_code,
        head_name=household.head_name,
        monitoring_category=household.monitoring_category,
        identified_on=identified_on,
        days_since_identified=(today - identified_on).days,
    )
