"""What a decided case does to its household, with the figures moved in the same transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.errors import Conflict
from services.common.history import record_write
from services.monitoring.figures import rollups
from services.monitoring.figures.contribution import HouseholdState, record_state_change
from services.monitoring.models import Case, Household

MONITORED = "monitored"
ELIMINATED = "eliminated"


async def identify(
    session: AsyncSession, principal: Principal, household: Household, case: Case, today: date
) -> None:
    """The county approved the identification: the household becomes a monitoring object."""
    if household.monitoring_status == MONITORED:
        raise Conflict(
            "The household is already a monitoring object.", code="household_already_monitored"
        )
    before = HouseholdState.of(household)
    household.monitoring_status = MONITORED
    household.monitoring_category = case.proposed_category
    household.risk_types = list(case.proposed_risk_types)
    household.identified_on = today
    household.eliminated_on = None
    await _changed(
        session,
        principal,
        household,
        before,
        "identify",
        ["monitoring_status", "monitoring_category", "risk_types", "identified_on"],
    )
    await rollups.bump(
        session,
        household.area_code,
        [
            (rollups.NEWLY_IDENTIFIED_HOUSEHOLDS, 1),
            (rollups.NEWLY_IDENTIFIED_PEOPLE, household.member_count),
        ],
        year=today.year,
    )


async def eliminate(
    session: AsyncSession, principal: Principal, household: Household, today: date
) -> None:
    """The county approved the elimination: the household's risk is eliminated."""
    if household.monitoring_status != MONITORED:
        raise Conflict("The household is not a monitoring object.", code="household_not_monitored")
    before = HouseholdState.of(household)
    household.monitoring_status = ELIMINATED
    household.eliminated_on = today
    await _changed(
        session, principal, household, before, "eliminate", ["monitoring_status", "eliminated_on"]
    )


async def reverse_elimination(
    session: AsyncSession, principal: Principal, household: Household
) -> None:
    """A revisit found the risk back: the household is monitored again, category kept."""
    before = HouseholdState.of(household)
    household.monitoring_status = MONITORED
    household.eliminated_on = None
    await _changed(
        session,
        principal,
        household,
        before,
        "reverse_elimination",
        ["monitoring_status", "eliminated_on"],
    )


async def _changed(
    session: AsyncSession,
    principal: Principal,
    household: Household,
    before: HouseholdState,
    action: str,
    fields: list[str],
) -> None:
    household.version += 1
    await session.flush()
    await record_state_change(session, before, HouseholdState.of(household))
    await record_write(
        session,
        principal,
        entity="household",
        entity_id=str(household.id),
        area_code=household.area_code,
        version=household.version,
        action=action,
        fields=fields,
    )
