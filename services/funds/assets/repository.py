"""Every query of assets, scoped by the caller's area."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import scope_bounds
from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.funds.models import Asset

ASSET_ORDER = (Asset.area_code, Asset.name, Asset.id)
AssetKey = tuple[str, str, uuid.UUID]


@dataclass(frozen=True)
class AssetFilters:
    project_id: uuid.UUID | None = None
    kind: str | None = None
    status: str | None = None
    area: str | None = None


async def get_asset(
    session: AsyncSession, principal: Principal, asset_id: uuid.UUID, *, for_update: bool = False
) -> Asset | None:
    query = select(Asset).where(Asset.id == asset_id, in_scope(Asset.area_code, principal))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_assets(
    session: AsyncSession,
    principal: Principal,
    filters: AssetFilters,
    *,
    after: AssetKey | None,
    limit: int,
) -> list[Asset]:
    query = select(Asset).where(in_scope(Asset.area_code, principal))
    if filters.area is not None:
        query = query.where(Asset.area_code.between(*scope_bounds(filters.area)))
    if filters.project_id is not None:
        query = query.where(Asset.project_id == filters.project_id)
    if filters.kind is not None:
        query = query.where(Asset.kind == filters.kind)
    if filters.status is not None:
        query = query.where(Asset.status == filters.status)
    if after is not None:
        query = query.where(func.row(*ASSET_ORDER) > func.row(*after))
    return list((await session.scalars(query.order_by(*ASSET_ORDER).limit(limit))).all())
