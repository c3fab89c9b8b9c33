"""`/assistance-workshops` (帮扶车间)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.employment.access import Reader, Recorder
from services.employment.workshops import repository, service
from services.employment.workshops.schemas import WorkshopCreate, WorkshopRead, WorkshopUpdate

router = UnitOfWorkRouter(tags=["assistance workshops"])


@router.post(
    "/assistance-workshops",
    status_code=201,
    response_model=WorkshopRead,
    summary="Register an assistance workshop (新增帮扶车间)",
)
async def create_workshop(
    data: WorkshopCreate,
    request: Request,
    session: SessionDep,
    principal: Recorder,
    response: Response,
) -> WorkshopRead:
    workshop = await service.create_workshop(session, principal, data)
    set_etag(response, workshop.version)
    response.headers["Location"] = f"/api/v1/assistance-workshops/{workshop.id}"
    return await service.read(session, request.app.state.settings, workshop)


@router.get(
    "/assistance-workshops",
    response_model=Page[WorkshopRead],
    summary="List assistance workshops with today's workers (帮扶车间列表)",
)
async def list_workshops(
    request: Request,
    session: SessionDep,
    principal: Reader,
    area: Annotated[str | None, Query(pattern=r"^[0-9]{12}$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[WorkshopRead]:
    after = decode_cursor(cursor, (str, str, uuid.UUID))
    rows = await repository.list_workshops(
        session,
        principal,
        area_code=area,
        after=(after[0], after[1], after[2]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(rows, limit, lambda row: [row.area_code, row.name, str(row.id)])
    return Page[WorkshopRead](
        items=await service.read_many(session, request.app.state.settings, items),
        next_cursor=next_cursor,
    )


@router.get(
    "/assistance-workshops/{workshop_id}",
    response_model=WorkshopRead,
    summary="One assistance workshop and whether it qualifies today (帮扶车间认定)",
)
async def get_workshop(
    workshop_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: Reader,
    response: Response,
) -> WorkshopRead:
    workshop = await service.get_workshop(session, principal, workshop_id)
    set_etag(response, workshop.version)
    return await service.read(session, request.app.state.settings, workshop)


@router.patch(
    "/assistance-workshops/{workshop_id}",
    response_model=WorkshopRead,
    summary="Change an assistance workshop (修改帮扶车间)",
)
async def update_workshop(
    workshop_id: uuid.UUID,
    data: WorkshopUpdate,
    version: IfMatchVersion,
    request: Request,
    session: SessionDep,
    principal: Recorder,
    response: Response,
) -> WorkshopRead:
    settings = request.app.state.settings
    workshop = await service.update_workshop(
        session, principal, settings, workshop_id, data, version
    )
    set_etag(response, workshop.version)
    return await service.read(session, settings, workshop)
