"""`/labourers`: registering labourers (劳动力登记), their skills and training (技能培训)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from services.common.audit import record_audit
from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.errors import InvalidInput
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.common.personal_data import normalize_person_number
from services.employment.access import Reader, Recorder
from services.employment.labourers import repository, service
from services.employment.labourers.schemas import (
    LabourerCreate,
    LabourerRead,
    LabourerUpdate,
    TrainingCreate,
    TrainingRead,
)
from services.employment.registry.client import person_lookup

router = UnitOfWorkRouter(tags=["labourers"])


@router.post(
    "/labourers",
    status_code=201,
    response_model=LabourerRead,
    summary="Register a labourer (劳动力登记), confirmed by the monitoring service",
    description=(
        "The person must be an active member of an exited-poverty or monitored household in "
        "your area, of working age and able to work. Rules: `person_not_found`, "
        "`labourer_not_eligible`, `labourer_age`, `labourer_no_labour_ability` (422), "
        "`labourer_already_registered` (409); 503 `monitoring_unavailable` when the "
        "monitoring service cannot answer."
    ),
)
async def register_labourer(
    data: LabourerCreate,
    request: Request,
    session: SessionDep,
    principal: Recorder,
    response: Response,
) -> LabourerRead:
    labourer = await service.register_labourer(
        session,
        principal,
        request.app.state.settings,
        request.app.state.protector,
        person_lookup(request),
        data,
    )
    set_etag(response, labourer.version)
    response.headers["Location"] = f"/api/v1/labourers/{labourer.id}"
    return LabourerRead.model_validate(labourer)


@router.get("/labourers", response_model=Page[LabourerRead], summary="List labourers (劳动力名册)")
async def list_labourers(
    request: Request,
    session: SessionDep,
    principal: Reader,
    village: Annotated[str | None, Query(pattern=r"^[0-9]{12}$")] = None,
    person_number: Annotated[
        str | None, Query(min_length=18, max_length=30, description="full ID number")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[LabourerRead]:
    after = decode_cursor(cursor, (str, str, uuid.UUID))
    index = None
    if person_number is not None:
        number = normalize_person_number(person_number)
        if len(number) < 18:
            raise InvalidInput.for_field(
                "query.person_number", "person_number_search", "Give the full ID number."
            )
        index = request.app.state.protector.person_number_index(number)
    rows = await repository.list_labourers(
        session,
        principal,
        area_code=village,
        person_index=index,
        after=(after[0], after[1], after[2]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(rows, limit, lambda row: [row.area_code, row.name, str(row.id)])
    return Page[LabourerRead](
        items=[LabourerRead.model_validate(row) for row in items], next_cursor=next_cursor
    )


@router.get(
    "/labourers/{labourer_id}", response_model=LabourerRead, summary="One labourer (劳动力详情)"
)
async def get_labourer(
    labourer_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> LabourerRead:
    labourer = await service.get_labourer(session, principal, labourer_id)
    await record_audit(
        session,
        principal,
        action="read",
        entity="labourer",
        entity_id=str(labourer.id),
        area_code=labourer.area_code,
    )
    set_etag(response, labourer.version)
    return LabourerRead.model_validate(labourer)


@router.patch(
    "/labourers/{labourer_id}",
    response_model=LabourerRead,
    summary="Change a labourer's name, skills or certificates (修改劳动力信息)",
)
async def update_labourer(
    labourer_id: uuid.UUID,
    data: LabourerUpdate,
    version: IfMatchVersion,
    session: SessionDep,
    principal: Recorder,
    response: Response,
) -> LabourerRead:
    labourer = await service.update_labourer(session, principal, labourer_id, data, version)
    set_etag(response, labourer.version)
    return LabourerRead.model_validate(labourer)


@router.post(
    "/labourers/{labourer_id}/trainings",
    status_code=201,
    response_model=TrainingRead,
    summary="Record a training course (登记技能培训)",
)
async def add_training(
    labourer_id: uuid.UUID, data: TrainingCreate, session: SessionDep, principal: Recorder
) -> TrainingRead:
    return TrainingRead.model_validate(
        await service.add_training(session, principal, labourer_id, data)
    )


@router.get(
    "/labourers/{labourer_id}/trainings",
    response_model=list[TrainingRead],
    summary="A labourer's training courses (培训记录)",
)
async def list_trainings(
    labourer_id: uuid.UUID, session: SessionDep, principal: Reader
) -> list[TrainingRead]:
    labourer = await service.get_labourer(session, principal, labourer_id)
    return [
        TrainingRead.model_validate(row)
        for row in await repository.trainings_of(session, labourer.id)
    ]
