"""Visits (走访) and revisits (回访) of a household, and the revisits due this month."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Depends, Response

from services.common.auth.dependencies import require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import PERSON_ROLES, Role
from services.common.business_time import business_today
from services.common.concurrency import set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, CursorDate, Limit, Page, decode_cursor, page_of
from services.monitoring.models import Household, Visit
from services.monitoring.visits import service
from services.monitoring.visits.schemas import RevisitDue, VisitCreate, VisitCreated, VisitRead

router = UnitOfWorkRouter(tags=["visits"])

VISITORS = (
    Role.VILLAGE_OFFICER,
    Role.TOWNSHIP_REVIEWER,
    Role.COUNTY_APPROVER,
    Role.COUNTY_ADMIN,
    Role.ADMINISTRATOR,
)
Visitor = Annotated[Principal, Depends(require_roles(*VISITORS))]
Reader = Annotated[Principal, Depends(require_roles(*PERSON_ROLES))]


@router.get(
    "/revisits/due",
    response_model=Page[RevisitDue],
    summary="Risk-eliminated households not revisited this month (本月待回访)",
)
async def list_revisits_due(
    session: SessionDep, principal: Reader, limit: Limit = 50, cursor: Cursor = None
) -> Page[RevisitDue]:
    after = decode_cursor(cursor, (str, str, uuid.UUID))
    rows = await service.revisits_due(
        session,
        principal,
        today=business_today(),
        after=(after[0], after[1], after[2]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(rows, limit, _due_key)
    return Page[RevisitDue](
        items=[_due(household, last) for household, last in items], next_cursor=next_cursor
    )


@router.post(
    "/households/{household_id}/visits",
    status_code=201,
    response_model=VisitCreated,
    summary="Record a visit (走访) or a revisit (回访); a revisit finding risk reopens the case",
    description=(
        "A revisit that finds the risk back (`risk_found`) reverts the elimination (风险消除回退) "
        "and answers the reopened case's id. On a household whose risk is eliminated, a "
        "`visit` (not dated before the elimination) that finds risk is refused (422, "
        "`body.kind`, rule `revisit_required`), as it would neither reopen the case nor count "
        "as the month's revisit: record it as a `revisit`."
    ),
)
async def record_visit(
    household_id: uuid.UUID,
    data: VisitCreate,
    session: SessionDep,
    principal: Visitor,
    response: Response,
) -> VisitCreated:
    visit, case = await service.record_visit(
        session, principal, household_id, data, today=business_today()
    )
    set_etag(response, visit.version)
    return VisitCreated(
        **VisitRead.model_validate(visit).model_dump(),
        reopened_case_id=None if case is None else case.id,
    )


@router.get(
    "/households/{household_id}/visits",
    response_model=Page[VisitRead],
    summary="The household's visits and revisits, newest first (走访记录)",
)
async def list_visits(
    household_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[VisitRead]:
    after = decode_cursor(cursor, (CursorDate, uuid.UUID))
    visits = await service.list_visits(
        session,
        principal,
        household_id,
        after=(after[0], after[1]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(visits, limit, _visit_key)
    return Page[VisitRead](
        items=[VisitRead.model_validate(visit) for visit in items], next_cursor=next_cursor
    )


def _visit_key(visit: Visit) -> list[object]:
    return [visit.visited_on.isoformat(), str(visit.id)]


def _due_key(row: tuple[Household, date | None]) -> list[object]:
    household = row[0]
    return [household.area_code, household.head_name, str(household.id)]


def _due(household: Household, last_revisit_on: date | None) -> RevisitDue:
    return RevisitDue(
        household_id=household.id,
        area_code=household.area_code,
        head_name=household.head_name,
        eliminated_on=household.eliminated_on,
        last_revisit_on=last_revisit_on,
    )
