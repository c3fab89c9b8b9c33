"""Every query of warnings and leads, scoped by the caller's area."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.monitoring.models import DepartmentWarning, FeedRecord, Member, WarningEvent

ACTIVE = ("open", "acknowledged")


async def get_warning(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    warning_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> DepartmentWarning | None:
    """The warning (or lead) if it is in the principal's area (None otherwise)."""
    query = select(DepartmentWarning).where(
        DepartmentWarning.id == warning_id,
        DepartmentWarning.kind == kind,
        in_scope(DepartmentWarning.area_code, principal),
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_warnings(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    *,
    filters: dict[str, Any],
    after: Sequence[Any] | None,
    limit: int,
) -> list[DepartmentWarning]:
    """Warnings (or leads) in the principal's area in (created_at, id) order, filtered."""
    query = select(DepartmentWarning).where(
        DepartmentWarning.kind == kind, in_scope(DepartmentWarning.area_code, principal)
    )
    if filters.get("active"):
        query = query.where(DepartmentWarning.state.in_(ACTIVE))
    for name in ("state", "household_id", "risk_type", "source", "rule_code"):
        if filters.get(name) is not None:
            query = query.where(getattr(DepartmentWarning, name) == filters[name])
    if filters.get("area_code"):
        query = query.where(DepartmentWarning.area_code == filters["area_code"])
    order = (DepartmentWarning.created_at, DepartmentWarning.id)
    if after is not None:
        query = query.where(func.row(*order) > func.row(*after))
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())


async def events_of(session: AsyncSession, warning_id: uuid.UUID) -> list[Any]:
    """The warning's events with their department records, oldest first."""
    query = (
        select(
            WarningEvent.event_date,
            WarningEvent.amount,
            WarningEvent.rule_version_id,
            WarningEvent.attached_at,
            FeedRecord.source,
            FeedRecord.source_record_id,
            FeedRecord.event_type,
            FeedRecord.person_number_masked,
            FeedRecord.name.label("person_name"),
            FeedRecord.area_code,
            FeedRecord.batch_id,
            FeedRecord.details_cipher,
        )
        .join(FeedRecord, FeedRecord.id == WarningEvent.record_id)
        .where(WarningEvent.warning_id == warning_id)
        .order_by(WarningEvent.event_date, WarningEvent.record_id)
    )
    return list((await session.execute(query)).all())


async def is_active_member(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, person_index: bytes
) -> bool:
    """Whether the household (in the principal's area) holds this person as active member."""
    query = select(Member.id).where(
        Member.household_id == household_id,
        Member.person_number_index == person_index,
        Member.active,
        in_scope(Member.area_code, principal),
    )
    return (await session.scalar(query)) is not None
