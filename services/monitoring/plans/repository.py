"""Every query of help plans and help measures, scoped by the caller's area."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.monitoring.models import HelpMeasure, HelpPlan, Household

# Lists of households go village by village, then by head name: the officers' screen order,
# served by the index on (area_code, head_name, id).
HOUSEHOLD_ORDER = (Household.area_code, Household.head_name, Household.id)
HouseholdKey = tuple[str, str, uuid.UUID]
MeasureKey = tuple[date, uuid.UUID]


async def plan_of(
    session: AsyncSession, household_id: uuid.UUID, *, for_update: bool = False
) -> HelpPlan | None:
    """The plan of a household the caller has already been shown to be in scope."""
    query = select(HelpPlan).where(HelpPlan.household_id == household_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def has_measures(session: AsyncSession, household_id: uuid.UUID) -> bool:
    query = select(exists().where(HelpMeasure.household_id == household_id))
    return bool(await session.scalar(query))


async def measures_of(
    session: AsyncSession, household_id: uuid.UUID, *, after: MeasureKey | None, limit: int
) -> list[HelpMeasure]:
    """A household's measures, newest start first."""
    query = select(HelpMeasure).where(HelpMeasure.household_id == household_id)
    if after is not None:
        query = query.where(
            func.row(HelpMeasure.started_on, HelpMeasure.id) < func.row(after[0], after[1])
        )
    query = query.order_by(HelpMeasure.started_on.desc(), HelpMeasure.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


async def monitored_without_plan(
    session: AsyncSession,
    principal: Principal,
    *,
    identified_before: date,
    after: HouseholdKey | None,
    limit: int,
) -> list[Household]:
    """Monitored households in scope identified before the date that have no help plan."""
    lacking = ~exists().where(HelpPlan.household_id == Household.id)
    return await _monitored_lacking(
        session, principal, lacking, identified_before=identified_before, after=after, limit=limit
    )


async def monitored_without_measures(
    session: AsyncSession,
    principal: Principal,
    *,
    identified_before: date,
    after: HouseholdKey | None,
    limit: int,
) -> list[Household]:
    """Monitored households in scope identified before the date that have no help measure."""
    lacking = ~exists().where(HelpMeasure.household_id == Household.id)
    return await _monitored_lacking(
        session, principal, lacking, identified_before=identified_before, after=after, limit=limit
    )


async def _monitored_lacking(
    session: AsyncSession,
    principal: Principal,
    lacking: ColumnElement[bool],
    *,
    identified_before: date,
    after: HouseholdKey | None,
    limit: int,
) -> list[Household]:
    query = select(Household).where(
        in_scope(Household.area_code, principal),
        Household.monitoring_status == "monitored",
        Household.identified_on < identified_before,
        lacking,
    )
    if after is not None:
        query = query.where(func.row(*HOUSEHOLD_ORDER) > func.row(*after))
    return list((await session.scalars(query.order_by(*HOUSEHOLD_ORDER).limit(limit))).all())
