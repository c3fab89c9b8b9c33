"""`/areas`: the area registry (区划), read by everyone within their area, kept by
administrators and county administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, Path, Query, Response, UploadFile

from gateway.areas import service, upload
from gateway.areas.repository import list_in_scope
from gateway.areas.schemas import AreaCode, AreaCreate, AreaRead, AreaUpdate, ImportReport
from services.common.areas import AreaLevel
from services.common.auth.dependencies import CurrentPrincipal, require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import ACCOUNT_MANAGERS
from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, Limit, Page, page_of

router = UnitOfWorkRouter(prefix="/areas", tags=["areas"])
Manager = Annotated[Principal, Depends(require_roles(*ACCOUNT_MANAGERS))]
CodePath = Annotated[AreaCode, Path(description="12-digit division code (区划代码)")]


@router.get("", response_model=Page[AreaRead], summary="List areas in your area (区划列表)")
async def list_areas(
    session: SessionDep,
    principal: CurrentPrincipal,
    parent: Annotated[
        AreaCode | None, Query(description="Only the direct children of this code (下级区划)")
    ] = None,
    level: Annotated[AreaLevel | None, Query(description="Only areas of this level")] = None,
    name: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="Part of the name, any case (名称包含)",
        ),
    ] = None,
    include_dissolved: Annotated[
        bool, Query(description="Also list dissolved units (含已撤销)")
    ] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AreaRead]:
    after = service.cursor_code(cursor)
    areas = await list_in_scope(
        session,
        principal,
        parent=parent,
        level=level.value if level else None,
        name=name,
        include_dissolved=include_dissolved,
        after_code=after,
        limit=limit + 1,
    )
    items, next_cursor = page_of(areas, limit, lambda area: [area.code])
    return Page[AreaRead](
        items=[AreaRead.model_validate(area) for area in items], next_cursor=next_cursor
    )


@router.get("/{code}", response_model=AreaRead, summary="One area (区划详情)")
async def get_area(
    code: CodePath, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> AreaRead:
    area = await service.read_area(session, principal, code)
    set_etag(response, area.version)
    return AreaRead.model_validate(area)


@router.post("", status_code=201, response_model=AreaRead, summary="Register an area (新增区划)")
async def register_area(
    data: AreaCreate, session: SessionDep, principal: Manager, response: Response
) -> AreaRead:
    area = await service.register_area(session, principal, data)
    set_etag(response, area.version)
    response.headers["Location"] = f"/api/v1/areas/{area.code}"
    return AreaRead.model_validate(area)


@router.post(
    "/import",
    response_model=ImportReport,
    summary="Import townships and villages from CSV (批量导入区划)",
    description=(
        "A UTF-8 CSV (a BOM is allowed) with the header `code,name,parent_code`; "
        f"`parent_code` may be left out. At most {upload.MAX_ROWS} rows and "
        f"{upload.MAX_BYTES // (1024 * 1024)} MB. Valid rows are registered, the others are "
        "reported; rows already registered with the same name and parent count as unchanged."
    ),
)
async def import_areas(
    file: Annotated[UploadFile, File(description="The CSV file (区划表)")],
    session: SessionDep,
    principal: Manager,
) -> ImportReport:
    if file.size is not None:
        upload.check_size(file.size)
    # One byte more than the cap tells an oversized file from one exactly at the cap.
    content = await file.read(upload.MAX_BYTES + 1)
    return await service.import_areas(session, principal, content)


@router.patch("/{code}", response_model=AreaRead, summary="Rename or dissolve an area (修改区划)")
async def update_area(
    code: CodePath,
    data: AreaUpdate,
    version: IfMatchVersion,
    session: SessionDep,
    principal: Manager,
    response: Response,
) -> AreaRead:
    area = await service.update_area(session, principal, code, data, version)
    set_etag(response, area.version)
    return AreaRead.model_validate(area)
