"""The rules of project assets: registered only for completed projects, to an owner whose place
fits its type inside the project's county; changed with If-Match; disposed of once, with a
reason. The county's asset figures follow every change in the same transaction."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import AreaLevel, level_of
from services.common.auth.principal import Principal
from services.common.concurrency import check_version
from services.common.errors import Conflict, InvalidInput, NotFound
from services.funds.assets import repository
from services.funds.assets.repository import AssetFilters, AssetKey
from services.funds.assets.schemas import AssetCreate, AssetDisposal, AssetRead, AssetUpdate
from services.funds.figures import rollups
from services.funds.history import written
from services.funds.models import Asset
from services.funds.places import check_in_scope, check_not_before, check_not_future, county_of
from services.funds.projects import repository as projects
from services.funds.projects.lifecycle import ASSET_FORMING
from services.funds.vocabulary import AssetKind, AssetOwner, AssetStatus

ENTITY = "asset"
OWNER_LEVELS = {
    AssetOwner.COUNTY: AreaLevel.COUNTY,
    AssetOwner.TOWNSHIP: AreaLevel.TOWNSHIP,
    AssetOwner.VILLAGE_COLLECTIVE: AreaLevel.VILLAGE,
    AssetOwner.HOUSEHOLD: AreaLevel.VILLAGE,
}


async def register(session: AsyncSession, principal: Principal, data: AssetCreate) -> Asset:
    project = await projects.get_project(session, principal, data.project_id, for_share=True)
    if project is None:
        raise NotFound(f"No project {data.project_id}.")
    if project.status not in ASSET_FORMING:
        raise Conflict(
            f"Assets are registered for completed projects; this one is {project.status}.",
            code="project_not_completed",
            extra={"status": project.status},
        )
    _check_owner(principal, data, project.county_code)
    check_not_future(data.formed_on, "body.formed_on")
    asset = Asset(
        id=uuid.uuid4(),
        project_id=project.id,
        area_code=data.owner_area_code,
        county_code=project.county_code,
        name=data.name,
        kind=data.kind.value,
        owner_type=data.owner_type.value,
        owner_name=data.owner_name,
        value=data.value,
        formed_on=data.formed_on,
        location=data.location,
        status=data.status,
        version=1,
    )
    session.add(asset)
    await session.flush()
    await written(session, principal, ENTITY, asset.id, asset)
    await _count(session, asset, None, _contribution(asset))
    return asset


async def update(
    session: AsyncSession,
    principal: Principal,
    asset_id: uuid.UUID,
    data: AssetUpdate,
    version: int,
) -> Asset:
    asset = await _live_asset(session, principal, asset_id, version)
    before = _contribution(asset)
    changed = [
        name
        for name, value in data.model_dump(exclude_unset=True).items()
        if value is not None and getattr(asset, name) != value
    ]
    if not changed:
        return asset
    # A revaluation is not a silent edit: the audit row keeps what each field was (amounts
    # as their decimal text, like the API's).
    before_values = {name: _json(getattr(asset, name)) for name in changed}
    for name in changed:
        setattr(asset, name, getattr(data, name))
    asset.version += 1
    await session.flush()
    await written(session, principal, ENTITY, asset.id, asset, "update", changed, before_values)
    await _count(session, asset, before, _contribution(asset))
    return asset


def _json(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


async def dispose(
    session: AsyncSession,
    principal: Principal,
    asset_id: uuid.UUID,
    data: AssetDisposal,
    version: int,
) -> Asset:
    """Dispose of an asset (资产处置), with the reason; it leaves the county's figures."""
    asset = await _live_asset(session, principal, asset_id, version)
    check_not_future(data.disposed_on, "body.disposed_on")
    check_not_before(
        data.disposed_on, asset.formed_on, "body.disposed_on", "before_formed", "its forming"
    )
    before = _contribution(asset)
    asset.status = AssetStatus.DISPOSED.value
    asset.disposed_on = data.disposed_on
    asset.disposal_reason = data.reason
    asset.disposal_method = data.method
    asset.version += 1
    await session.flush()
    await written(session, principal, ENTITY, asset.id, asset, "dispose", ["status"])
    await _count(session, asset, before, {})
    return asset


async def get_asset(session: AsyncSession, principal: Principal, asset_id: uuid.UUID) -> Asset:
    asset = await repository.get_asset(session, principal, asset_id)
    if asset is None:
        raise NotFound(f"No asset {asset_id}.")
    return asset


async def list_assets(
    session: AsyncSession,
    principal: Principal,
    filters: AssetFilters,
    *,
    after: AssetKey | None,
    limit: int,
) -> list[Asset]:
    return await repository.list_assets(session, principal, filters, after=after, limit=limit)


async def _live_asset(
    session: AsyncSession, principal: Principal, asset_id: uuid.UUID, version: int
) -> Asset:
    asset = await repository.get_asset(session, principal, asset_id, for_update=True)
    if asset is None:
        raise NotFound(f"No asset {asset_id}.")
    check_version(version, asset.version, AssetRead.model_validate(asset).model_dump(mode="json"))
    if asset.status == AssetStatus.DISPOSED:
        raise Conflict("The asset has been disposed of.", code="asset_disposed")
    return asset


def _check_owner(principal: Principal, data: AssetCreate, county_code: str) -> None:
    field = "body.owner_area_code"
    if level_of(data.owner_area_code) != OWNER_LEVELS[data.owner_type]:
        raise InvalidInput.for_field(
            field,
            "owner_area_level",
            f"A {data.owner_type.value} owner is registered at {OWNER_LEVELS[data.owner_type]} "
            "level.",
        )
    if county_of(data.owner_area_code) != county_code:
        raise InvalidInput.for_field(
            field, "owner_outside_project_county", "The owner is not in the project's county."
        )
    check_in_scope(principal, data.owner_area_code, field)
    if (data.kind == AssetKind.HOUSEHOLD) != (data.owner_type == AssetOwner.HOUSEHOLD):
        raise InvalidInput.for_field(
            "body.owner_type",
            "owner_kind_mismatch",
            "Household assets (到户类) are owned by households, and households own only those.",
        )


Figures = dict[str, Decimal]


def _contribution(asset: Asset) -> Figures:
    """What one asset adds to its county's figures."""
    if asset.status == AssetStatus.DISPOSED:
        return {}
    figures = {
        rollups.by_kind(rollups.ASSETS, asset.kind): Decimal(1),
        rollups.by_kind(rollups.ASSET_VALUE, asset.kind): asset.value,
    }
    if asset.status == AssetStatus.IDLE:
        figures[rollups.IDLE_ASSETS] = Decimal(1)
    return figures


async def _count(
    session: AsyncSession, asset: Asset, before: Figures | None, after: Figures
) -> None:
    """Move the asset's contribution from `before` to `after`."""
    changes = [*after.items(), *((key, -value) for key, value in (before or {}).items())]
    await rollups.bump(session, asset.county_code, rollups.ALL_YEARS, asset.id, changes)
