"""Every query of employment targets, scoped by the caller's area."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.employment.models import EmploymentTarget


async def get_target(
    session: AsyncSession, county_code: str, year: int, *, for_update: bool = False
) -> EmploymentTarget | None:
    """By key; callers check the county is in scope first."""
    query = select(EmploymentTarget).where(
        EmploymentTarget.county_code == county_code, EmploymentTarget.year == year
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def targets_in_scope(
    session: AsyncSession, principal: Principal, year: int
) -> list[EmploymentTarget]:
    query = (
        select(EmploymentTarget)
        .where(in_scope(EmploymentTarget.county_code, principal), EmploymentTarget.year == year)
        .order_by(EmploymentTarget.county_code)
    )
    return list((await session.scalars(query)).all())
