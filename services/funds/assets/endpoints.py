"""`/assets`: assets formed by completed projects (扶贫项目资产)."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.funds.access import Clerk, Reader
from services.funds.assets import service
from services.funds.assets.repository import AssetFilters
from services.funds.assets.schemas import AssetCreate, AssetDisposal, AssetRead, AssetUpdate
from services.funds.models import Asset
from services.funds.schemas import AreaQuery
from services.funds.vocabulary import AssetKind, AssetStatus

router = UnitOfWorkRouter(prefix="/assets", tags=["assets"])


def _answer(response: Response, asset: Asset) -> AssetRead:
    set_etag(response, asset.version)
    return AssetRead.model_validate(asset)


@router.post(
    "",
    status_code=201,
    response_model=AssetRead,
    summary="Register an asset of a completed project (资产确权登记)",
)
async def register_asset(
    data: AssetCreate, session: SessionDep, principal: Clerk, response: Response
) -> AssetRead:
    asset = await service.register(session, principal, data)
    response.headers["Location"] = f"/api/v1/assets/{asset.id}"
    return _answer(response, asset)


@router.get("", response_model=Page[AssetRead], summary="List project assets (资产台账)")
async def list_assets(
    session: SessionDep,
    principal: Reader,
    project_id: uuid.UUID | None = None,
    kind: AssetKind | None = None,
    status: AssetStatus | None = None,
    area: AreaQuery = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AssetRead]:
    after = decode_cursor(cursor, (str, str, uuid.UUID))
    rows = await service.list_assets(
        session,
        principal,
        AssetFilters(
            project_id=project_id,
            kind=kind.value if kind else None,
            status=status.value if status else None,
            area=area,
        ),
        after=(after[0], after[1], after[2]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(rows, limit, lambda row: [row.area_code, row.name, row.id])
    return Page[AssetRead](
        items=[AssetRead.model_validate(row) for row in items], next_cursor=next_cursor
    )


@router.get("/{asset_id}", response_model=AssetRead, summary="One asset (资产详情)")
async def get_asset(
    asset_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> AssetRead:
    return _answer(response, await service.get_asset(session, principal, asset_id))


@router.patch(
    "/{asset_id}",
    response_model=AssetRead,
    summary="Change an asset: name, owner name, place, value, in use or idle (资产变更)",
)
async def update_asset(
    asset_id: uuid.UUID,
    data: AssetUpdate,
    version: IfMatchVersion,
    session: SessionDep,
    principal: Clerk,
    response: Response,
) -> AssetRead:
    asset = await service.update(session, principal, asset_id, data, version)
    return _answer(response, asset)


@router.post(
    "/{asset_id}/disposal",
    response_model=AssetRead,
    summary="Dispose of an asset, with the reason (资产处置), with If-Match",
)
async def dispose_asset(
    asset_id: uuid.UUID,
    data: AssetDisposal,
    version: IfMatchVersion,
    session: SessionDep,
    principal: Clerk,
    response: Response,
) -> AssetRead:
    asset = await service.dispose(session, principal, asset_id, data, version)
    return _answer(response, asset)
