"""Every query of projects and their transitions, scoped by the caller's area."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import scope_bounds
from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.funds.models import FundLink, Project, ProjectTransition
from services.funds.vocabulary import EntryKind

# Lists go place by place, then by name: the library's screen order.
PROJECT_ORDER = (Project.area_code, Project.name, Project.id)
ProjectKey = tuple[str, str, uuid.UUID]


@dataclass(frozen=True)
class ProjectFilters:
    status: str | None = None
    category: str | None = None
    year: int | None = None
    area: str | None = None


async def get_project(
    session: AsyncSession,
    principal: Principal,
    project_id: uuid.UUID,
    *,
    for_update: bool = False,
    for_share: bool = False,
) -> Project | None:
    """The project if it is in the principal's area (None otherwise, like a missing one).
    FOR UPDATE serializes its transitions; FOR SHARE keeps its status while funds are linked
    to it, without making links wait for each other."""
    query = select(Project).where(Project.id == project_id, in_scope(Project.area_code, principal))
    if for_update or for_share:
        query = query.with_for_update(read=for_share)
    return await session.scalar(query)


async def list_projects(
    session: AsyncSession,
    principal: Principal,
    filters: ProjectFilters,
    *,
    after: ProjectKey | None,
    limit: int,
) -> list[Project]:
    query = select(Project).where(in_scope(Project.area_code, principal))
    if filters.area is not None:
        query = query.where(Project.area_code.between(*scope_bounds(filters.area)))
    if filters.status is not None:
        query = query.where(Project.status == filters.status)
    if filters.category is not None:
        query = query.where(Project.category == filters.category)
    if filters.year is not None:
        query = query.where(Project.year == filters.year)
    if after is not None:
        query = query.where(func.row(*PROJECT_ORDER) > func.row(*after))
    return list((await session.scalars(query.order_by(*PROJECT_ORDER).limit(limit))).all())


async def transitions_of(session: AsyncSession, project_id: uuid.UUID) -> list[ProjectTransition]:
    query = (
        select(ProjectTransition)
        .where(ProjectTransition.project_id == project_id)
        .order_by(ProjectTransition.id)
    )
    return list((await session.scalars(query)).all())


async def money_of(
    session: AsyncSession, project_id: uuid.UUID
) -> tuple[Decimal, Decimal, Decimal]:
    """(net linked, net paid, linked but neither paid nor reversed) of a project."""
    query = select(
        func.coalesce(func.sum(FundLink.amount - FundLink.reversed), 0),
        func.coalesce(func.sum(FundLink.paid), 0),
        func.coalesce(func.sum(FundLink.amount - FundLink.reversed - FundLink.paid), 0),
    ).where(FundLink.project_id == project_id, FundLink.kind == EntryKind.ORIGINAL.value)
    linked, paid, unspent = (await session.execute(query)).one()
    return Decimal(linked), Decimal(paid), Decimal(unspent)
