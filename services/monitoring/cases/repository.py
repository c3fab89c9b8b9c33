"""Every query of cases and of the facts their rules read, scoped by the caller's area."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import and_, func, not_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.monitoring.models import (
    Case,
    CaseStep,
    HelpMeasure,
    HouseholdIncome,
    Member,
    MonitoringLine,
)


async def get_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, *, for_update: bool = False
) -> Case | None:
    """The case if it is in the principal's area (None otherwise, like a missing one)."""
    query = select(Case).where(Case.id == case_id, in_scope(Case.area_code, principal))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def steps_of(session: AsyncSession, case_id: uuid.UUID) -> list[CaseStep]:
    query = select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.id)
    return list((await session.scalars(query)).all())


async def step_details(session: AsyncSession, case_id: uuid.UUID, step: str) -> dict[str, object]:
    """What the case's first row of `step` recorded (empty when it has none)."""
    query = (
        select(CaseStep.details)
        .where(CaseStep.case_id == case_id, CaseStep.step == step)
        .order_by(CaseStep.id)
        .limit(1)
    )
    details: dict[str, object] | None = await session.scalar(query)
    return details or {}


async def open_case_exists(session: AsyncSession, household_id: uuid.UUID, procedure: str) -> bool:
    query = select(Case.id).where(
        Case.household_id == household_id, Case.procedure == procedure, Case.closed_on.is_(None)
    )
    return (await session.scalar(query.limit(1))) is not None


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: dict[str, Any],
    today: date,
    after: tuple[date, uuid.UUID] | None,
    limit: int,
) -> list[Case]:
    """Cases in the principal's area in (opened_on, id) order, filtered."""
    query = select(Case).where(in_scope(Case.area_code, principal))
    if filters.get("state"):
        query = query.where(Case.state == filters["state"])
    if filters.get("procedure"):
        query = query.where(Case.procedure == filters["procedure"])
    if filters.get("household_id"):
        query = query.where(Case.household_id == filters["household_id"])
    if filters.get("overdue") is not None:
        overdue = and_(Case.closed_on.is_(None), Case.deadline_on < today)
        query = query.where(overdue if filters["overdue"] else not_(overdue))
    order = (Case.opened_on, Case.id)
    if after is not None:
        query = query.where(tuple_(*order) > tuple_(after[0], after[1]))
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())


# The facts the elimination rules read. The household was found in the caller's area before
# any of these is asked, so they are keyed by the household alone.


async def last_reversal_on(session: AsyncSession, household_id: uuid.UUID) -> date | None:
    """When the household's last elimination was reversed (风险消除回退), if ever."""
    query = select(func.max(Case.closed_on)).where(
        Case.household_id == household_id, Case.procedure == "elimination_reversal"
    )
    return await session.scalar(query)


async def has_help_measure(session: AsyncSession, household_id: uuid.UUID) -> bool:
    query = select(HelpMeasure.id).where(HelpMeasure.household_id == household_id).limit(1)
    return (await session.scalar(query)) is not None


async def latest_income(
    session: AsyncSession, household_id: uuid.UUID, years: Collection[int]
) -> HouseholdIncome | None:
    """The household's income of the latest of `years` that has one."""
    query = (
        select(HouseholdIncome)
        .where(HouseholdIncome.household_id == household_id, HouseholdIncome.year.in_(years))
        .order_by(HouseholdIncome.year.desc())
        .limit(1)
    )
    return await session.scalar(query)


async def monitoring_line(
    session: AsyncSession, province_code: str, year: int
) -> MonitoringLine | None:
    return await session.get(MonitoringLine, (province_code, year))


async def count_members_able_to_work(
    session: AsyncSession, household_id: uuid.UUID, abilities: Collection[str]
) -> int:
    query = select(func.count()).where(
        Member.household_id == household_id,
        Member.active,
        Member.labour_ability.in_(abilities),
    )
    return int(await session.scalar(query) or 0)
