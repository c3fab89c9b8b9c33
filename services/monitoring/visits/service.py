"""The rules of visits and revisits. Every write is audited and fed to the change feed."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.errors import Conflict, InvalidInput
from services.common.history import record_write
from services.monitoring.cases.service import reopen_after_revisit
from services.monitoring.households.rows import insert_records, transient
from services.monitoring.households.service import (
    audited_household,
    get_household,
    locked_household,
)
from services.monitoring.models import Case, Household, Visit
from services.monitoring.plans.repository import HouseholdKey
from services.monitoring.visits import repository
from services.monitoring.visits.repository import VisitKey
from services.monitoring.visits.schemas import VisitCreate

ENTITY = "visit"


async def record_visit(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    data: VisitCreate,
    *,
    today: date,
) -> tuple[Visit, Case | None]:
    """Record a visit by the caller; a revisit that finds the risk back reopens the case
    (风险消除回退), which is returned too."""
    if data.visited_on > today:
        raise InvalidInput.for_field(
            "body.visited_on", "in_future", "A visit cannot be recorded before it happens."
        )
    # Locked: a revisit may change the household's status in this same transaction, through
    # the ORM (so loaded in the session); a visit only reads it.
    if data.kind == "revisit":
        household = await get_household(session, principal, household_id, for_update=True)
    else:
        household = await locked_household(session, principal, household_id)
    if data.kind == "revisit":
        _check_revisit(household, data.visited_on)
    elif data.risk_found:
        _check_risk_after_elimination(household, data.visited_on)
    visit = transient(
        Visit,
        {
            "id": uuid.uuid4(),
            "household_id": household.id,
            "area_code": household.area_code,
            "kind": data.kind,
            "visited_on": data.visited_on,
            "officer": principal.subject,
            "findings": data.findings,
            "risk_found": data.risk_found,
            "version": 1,
        },
    )
    await insert_records(session, [visit])
    await record_write(
        session,
        principal,
        entity=ENTITY,
        entity_id=str(visit.id),
        area_code=visit.area_code,
        version=visit.version,
        action="create",
    )
    case = None
    if data.kind == "revisit" and data.risk_found:
        case = await reopen_after_revisit(session, principal, household, data.findings)
    return visit, case


async def list_visits(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    *,
    after: VisitKey | None,
    limit: int,
) -> list[Visit]:
    household = await audited_household(session, principal, household_id, view="visits")
    return await repository.visits_of(session, household.id, after=after, limit=limit)


async def revisits_due(
    session: AsyncSession,
    principal: Principal,
    *,
    today: date,
    after: HouseholdKey | None,
    limit: int,
) -> list[tuple[Household, date | None]]:
    """The monthly revisit rule: risk-eliminated households not revisited this calendar month."""
    return await repository.eliminated_without_revisit(
        session, principal, since=today.replace(day=1), after=after, limit=limit
    )


def _check_risk_after_elimination(household: Household, visited_on: date) -> None:
    """A plain visit finding risk on a household whose risk was eliminated would be stored
    without reopening the case or counting as the month's revisit; the officer records it as
    the revisit it is, which reverts the elimination (风险消除回退). A visit dated before the
    elimination (recorded late) is history and stays a visit."""
    if household.monitoring_status != "eliminated":
        return
    if household.eliminated_on is not None and visited_on < household.eliminated_on:
        return
    raise InvalidInput.for_field(
        "body.kind",
        "revisit_required",
        "The household's risk is eliminated (风险消除): a visit that finds the risk back is "
        "recorded as a revisit (kind `revisit`, 回访), which reopens the case (风险消除回退).",
    )


def _check_revisit(household: Household, visited_on: date) -> None:
    if household.monitoring_status != "eliminated":
        raise Conflict(
            "Only a household whose risk is eliminated (风险消除) is revisited.",
            code="household_not_eliminated",
        )
    if household.eliminated_on is not None and visited_on < household.eliminated_on:
        raise InvalidInput.for_field(
            "body.visited_on",
            "before_elimination",
            "A revisit comes after the risk was eliminated.",
        )
