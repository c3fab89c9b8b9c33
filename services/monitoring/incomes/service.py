"""The rules of incomes and monitoring lines."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import AreaLevel, level_of
from services.common.auth.principal import Principal
from services.common.business_time import business_now
from services.common.concurrency import check_version
from services.common.errors import InvalidInput, NotFound, PreconditionRequired
from services.common.history import record_write
from services.monitoring.households.service import audited_household, get_household
from services.monitoring.incomes.schemas import (
    IncomeInput,
    IncomeRead,
    LineInput,
    LineRead,
    per_capita,
)
from services.monitoring.models import HouseholdIncome, MonitoringLine


def check_year(year: int) -> None:
    this_year = business_now().year
    if not 2000 <= year <= this_year + 1:
        raise InvalidInput.for_field(
            "path.year", "year_range", f"The year must be 2000 to {this_year + 1}."
        )


async def put_income(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    year: int,
    data: IncomeInput,
    version: int | None,
) -> tuple[HouseholdIncome, bool]:
    """Create or replace one year's income; returns it and whether it was created."""
    check_year(year)
    household = await get_household(session, principal, household_id, for_update=True)
    income = await session.get(HouseholdIncome, (household.id, year), with_for_update=True)
    created = income is None
    if income is None:
        income = HouseholdIncome(household_id=household.id, year=year, version=0)
        session.add(income)
    else:
        if version is None:
            raise PreconditionRequired(
                "Replacing a recorded income needs If-Match with its version."
            )
        check_version(
            version, income.version, IncomeRead.model_validate(income).model_dump(mode="json")
        )
    for name, value in data.model_dump().items():
        setattr(income, name, value)
    income.members_counted = household.member_count
    income.per_capita_net = per_capita(data, household.member_count)
    income.version += 1
    await session.flush()
    await record_write(
        session,
        principal,
        entity="household_income",
        entity_id=f"{household.id}:{year}",
        area_code=household.area_code,
        version=income.version,
        action="create" if created else "update",
    )
    return income, created


async def list_incomes(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> list[HouseholdIncome]:
    """A household's incomes by year; the read is audited like its plans and visits."""
    household = await audited_household(session, principal, household_id, view="incomes")
    query = (
        select(HouseholdIncome)
        .where(HouseholdIncome.household_id == household.id)
        .order_by(HouseholdIncome.year)
    )
    return list((await session.scalars(query)).all())


async def put_line(
    session: AsyncSession,
    principal: Principal,
    province_code: str,
    year: int,
    data: LineInput,
    version: int | None,
) -> tuple[MonitoringLine, bool]:
    check_year(year)
    if level_of(province_code) != AreaLevel.PROVINCE:
        raise InvalidInput.for_field(
            "path.province_code", "not_a_province", "Lines are set per province."
        )
    if not principal.covers(province_code):
        raise NotFound(f"No province {province_code} in your area.")
    line = await session.get(MonitoringLine, (province_code, year), with_for_update=True)
    created = line is None
    if line is None:
        line = MonitoringLine(province_code=province_code, year=year, version=0)
        session.add(line)
    else:
        if version is None:
            raise PreconditionRequired(
                "Changing a monitoring line needs If-Match with its version."
            )
        check_version(version, line.version, LineRead.model_validate(line).model_dump(mode="json"))
    line.amount = data.amount
    line.version += 1
    await session.flush()
    await record_write(
        session,
        principal,
        entity="monitoring_line",
        entity_id=f"{province_code}:{year}",
        area_code=province_code,
        version=line.version,
        action="create" if created else "update",
    )
    return line, created


async def list_lines(session: AsyncSession, province_code: str) -> list[MonitoringLine]:
    query = (
        select(MonitoringLine)
        .where(MonitoringLine.province_code == province_code)
        .order_by(MonitoringLine.year)
    )
    return list((await session.scalars(query)).all())
