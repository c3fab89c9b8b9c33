"""Every query of visits, scoped by the caller's area."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.monitoring.models import Household, Visit
from services.monitoring.plans.repository import HOUSEHOLD_ORDER, HouseholdKey

VisitKey = tuple[date, uuid.UUID]


async def visits_of(
    session: AsyncSession, household_id: uuid.UUID, *, after: VisitKey | None, limit: int
) -> list[Visit]:
    """A household's visits and revisits, newest first."""
    query = select(Visit).where(Visit.household_id == household_id)
    if after is not None:
        query = query.where(func.row(Visit.visited_on, Visit.id) < func.row(after[0], after[1]))
    query = query.order_by(Visit.visited_on.desc(), Visit.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


async def eliminated_without_revisit(
    session: AsyncSession,
    principal: Principal,
    *,
    since: date,
    after: HouseholdKey | None,
    limit: int,
) -> list[tuple[Household, date | None]]:
    """Risk-eliminated households in scope with no revisit on or after `since`, each with the
    day of its last revisit."""
    last_revisit = (
        select(func.max(Visit.visited_on))
        .where(Visit.household_id == Household.id, Visit.kind == "revisit")
        .scalar_subquery()
    )
    query = select(Household, last_revisit.label("last_revisit_on")).where(
        in_scope(Household.area_code, principal),
        Household.monitoring_status == "eliminated",
        ~exists().where(
            Visit.household_id == Household.id, Visit.kind == "revisit", Visit.visited_on >= since
        ),
    )
    if after is not None:
        query = query.where(func.row(*HOUSEHOLD_ORDER) > func.row(*after))
    rows = (await session.execute(query.order_by(*HOUSEHOLD_ORDER).limit(limit))).all()
    return [(row[0], row[1]) for row in rows]
