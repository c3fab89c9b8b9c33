"""Setting a province's fund rules for a year: administrators only, within their area; a
replacement needs If-Match. Milestones are month ends of the year, in order, never decreasing."""

from __future__ import annotations

import calendar

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import AreaLevel, level_of
from services.common.auth.principal import Principal
from services.common.concurrency import check_version
from services.common.errors import InvalidInput, NotFound, PreconditionRequired
from services.common.history import record_write
from services.funds.models import FundRules
from services.funds.rules import repository
from services.funds.rules.schemas import RulesRead, RulesWrite, stored_milestones

ENTITY = "fund_rules"


async def put_rules(
    session: AsyncSession,
    principal: Principal,
    province_code: str,
    year: int,
    data: RulesWrite,
    version: int | None,
) -> tuple[FundRules, bool]:
    """Create or replace the rules; True when created."""
    if level_of(province_code) != AreaLevel.PROVINCE:
        raise InvalidInput.for_field(
            "path.province_code", "not_a_province", "Rules are set per province."
        )
    if not principal.covers(province_code):
        raise NotFound(f"No province {province_code} in your area.")
    _check_milestones(data, year)
    rules = await repository.get_rules(session, province_code, year, for_update=True)
    created = rules is None
    if rules is None:
        rules = FundRules(province_code=province_code, year=year, version=0)
        session.add(rules)
    else:
        if version is None:
            raise PreconditionRequired("Changing fund rules needs If-Match with their version.")
        check_version(version, rules.version, RulesRead.of(rules).model_dump(mode="json"))
    rules.industry_share_min = data.industry_share_min
    rules.milestones = stored_milestones(data)
    rules.yellow_card_points = data.yellow_card_points
    rules.version += 1
    await session.flush()
    await record_write(
        session,
        principal,
        entity=ENTITY,
        entity_id=f"{province_code}:{year}",
        area_code=province_code,
        version=rules.version,
        action="create" if created else "update",
    )
    return rules, created


async def read_rules(session: AsyncSession, province_code: str, year: int) -> FundRules:
    rules = await repository.get_rules(session, province_code, year)
    if rules is None:
        raise NotFound(f"No fund rules for {province_code} in {year}.")
    return rules


async def list_rules(session: AsyncSession, province_code: str) -> list[FundRules]:
    return await repository.rules_of_province(session, province_code)


def _check_milestones(data: RulesWrite, year: int) -> None:
    previous = None
    for index, milestone in enumerate(data.milestones):
        field = f"body.milestones.{index}"
        day = milestone.by
        if day.year != year:
            raise InvalidInput.for_field(
                f"{field}.by", "not_in_year", f"The date is not in {year}."
            )
        if day.day != calendar.monthrange(day.year, day.month)[1]:
            raise InvalidInput.for_field(
                f"{field}.by", "not_month_end", "A milestone falls on the last day of a month."
            )
        if previous is not None and day <= previous.by:
            raise InvalidInput.for_field(
                f"{field}.by", "not_ascending", "Milestones are given in date order, one a date."
            )
        if previous is not None and milestone.percent < previous.percent:
            raise InvalidInput.for_field(
                f"{field}.percent", "decreasing", "A later milestone never asks for less."
            )
        previous = milestone
