"""`/projects`: the project library (项目库) and each project's life."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.funds.access import Proposer, Reader
from services.funds.projects import service
from services.funds.projects.repository import ProjectFilters
from services.funds.projects.schemas import (
    ProjectCreate,
    ProjectRead,
    ProjectSummary,
    TransitionRequest,
)
from services.funds.schemas import AreaQuery, YearQuery
from services.funds.vocabulary import ProjectCategory, ProjectStatus

router = UnitOfWorkRouter(prefix="/projects", tags=["projects"])


@router.post(
    "",
    status_code=201,
    response_model=ProjectRead,
    summary="Propose a project into the library (项目入库申报)",
)
async def propose_project(
    data: ProjectCreate, session: SessionDep, principal: Proposer, response: Response
) -> ProjectRead:
    project = await service.propose(session, principal, data)
    response.headers["Location"] = f"/api/v1/projects/{project.id}"
    set_etag(response, project.version)
    return await service.read_project(session, principal, project.id)


@router.get("", response_model=Page[ProjectSummary], summary="List the project library (项目库)")
async def list_projects(
    session: SessionDep,
    principal: Reader,
    status: ProjectStatus | None = None,
    category: ProjectCategory | None = None,
    year: YearQuery = None,
    area: AreaQuery = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ProjectSummary]:
    after = decode_cursor(cursor, (str, str, uuid.UUID))
    rows = await service.list_projects(
        session,
        principal,
        ProjectFilters(
            status=status.value if status else None,
            category=category.value if category else None,
            year=year,
            area=area,
        ),
        after=(after[0], after[1], after[2]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(rows, limit, lambda row: [row.area_code, row.name, row.id])
    return Page[ProjectSummary](
        items=[ProjectSummary.of(row) for row in items], next_cursor=next_cursor
    )


@router.get(
    "/{project_id}",
    response_model=ProjectRead,
    summary="One project with its transitions, linked and paid funds (项目详情)",
)
async def get_project(
    project_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> ProjectRead:
    project = await service.read_project(session, principal, project_id)
    set_etag(response, project.version)
    return project


@router.post(
    "/{project_id}/transitions",
    response_model=ProjectRead,
    summary="Review (乡镇审核), approve or reject (县级审定), start (开工), complete (完工), "
    "accept (验收) or cancel (取消) a project, with If-Match",
)
async def transition_project(
    project_id: uuid.UUID,
    data: TransitionRequest,
    version: IfMatchVersion,
    session: SessionDep,
    principal: Reader,
    response: Response,
) -> ProjectRead:
    project = await service.transition(session, principal, project_id, data, version)
    set_etag(response, project.version)
    return await service.read_project(session, principal, project.id)
