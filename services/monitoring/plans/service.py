"""The rules of help plans and help measures. Every write is audited and fed to the change feed;
services flush, the request's unit of work commits."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.concurrency import check_version, parse_if_match
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.history import record_write
from services.common.personal_data import Protected, Protector
from services.common.personal_data.phones import InvalidPhone
from services.monitoring.codes.book import CodeBook
from services.monitoring.figures import rollups
from services.monitoring.households.service import audited_household, get_household
from services.monitoring.models import HelpMeasure, HelpPlan, Household
from services.monitoring.plans import repository
from services.monitoring.plans.repository import HouseholdKey, MeasureKey
from services.monitoring.plans.schemas import HelpPlanRead, HelpPlanWrite, MeasureCreate
from services.monitoring.settings import MonitoringSettings

PLAN_ENTITY = "help_plan"
MEASURE_ENTITY = "help_measure"
# Households that may receive measures: monitored ones, and eliminated ones still being helped.
HELPED_STATUSES = frozenset({"monitored", "eliminated"})
CENT = Decimal("0.01")


async def put_plan(
    session: AsyncSession,
    principal: Principal,
    protector: Protector,
    household_id: uuid.UUID,
    data: HelpPlanWrite,
    if_match: str | None,
) -> tuple[HelpPlan, bool]:
    """Create the household's plan, or replace it (which needs If-Match); True when created."""
    # Locking the household serializes writers of its one plan.
    household = await get_household(session, principal, household_id, for_update=True)
    if household.monitoring_status != "monitored":
        raise Conflict(
            "Only a monitored household (监测对象) gets a help plan.",
            code="household_not_monitored",
        )
    phone = _protect_phone(protector, data.helper_phone)
    plan = await repository.plan_of(session, household.id)
    if plan is None:
        plan = HelpPlan(
            id=uuid.uuid4(), household_id=household.id, area_code=household.area_code, version=1
        )
        _fill(plan, data, phone)
        session.add(plan)
        await session.flush()
        await _written(session, principal, plan, "create")
        return plan, True
    version = parse_if_match(if_match)
    check_version(version, plan.version, HelpPlanRead.model_validate(plan).model_dump(mode="json"))
    changed = _changed_fields(protector, plan, data, phone)
    if changed:
        _fill(plan, data, phone)
        plan.version += 1
        await session.flush()
        await _written(session, principal, plan, "update", changed)
    return plan, False


async def read_plan(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> HelpPlan:
    household = await get_household(session, principal, household_id)
    plan = await repository.plan_of(session, household.id)
    if plan is None:
        raise NotFound("The household has no help plan yet.", code="help_plan_not_found")
    await record_audit(
        session,
        principal,
        action="read",
        entity=PLAN_ENTITY,
        entity_id=str(plan.id),
        area_code=plan.area_code,
    )
    return plan


async def add_measure(
    session: AsyncSession,
    principal: Principal,
    book: CodeBook,
    household_id: uuid.UUID,
    data: MeasureCreate,
) -> HelpMeasure:
    """Record a measure; it counts as a policy enjoyed (享受政策) in the village's figures."""
    book.check("help_measure", data.measure, "body.measure")
    if data.ended_on is not None and data.ended_on < data.started_on:
        raise InvalidInput.for_field(
            "body.ended_on", "before_start", "ended_on must not be before started_on."
        )
    # Locked, so that of two first measures written at once only one counts the household.
    household = await get_household(session, principal, household_id, for_update=True)
    if household.monitoring_status not in HELPED_STATUSES:
        raise Conflict(
            "Only a monitored (or risk-eliminated) household receives help measures.",
            code="household_not_monitored",
        )
    first = not await repository.has_measures(session, household.id)
    measure = HelpMeasure(
        id=uuid.uuid4(),
        household_id=household.id,
        area_code=household.area_code,
        measure=data.measure,
        description=data.description,
        started_on=data.started_on,
        ended_on=data.ended_on,
        amount=None if data.amount is None else data.amount.quantize(CENT),
        version=1,
    )
    session.add(measure)
    await session.flush()
    figures = [(rollups.MEASURES, 1)]
    if first:
        figures.append((rollups.HOUSEHOLDS_WITH_MEASURES, 1))
    await rollups.bump(session, household.area_code, figures)
    await record_write(
        session,
        principal,
        entity=MEASURE_ENTITY,
        entity_id=str(measure.id),
        area_code=measure.area_code,
        version=measure.version,
        action="create",
    )
    return measure


async def list_measures(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    *,
    after: MeasureKey | None,
    limit: int,
) -> list[HelpMeasure]:
    household = await audited_household(session, principal, household_id, view="help_measures")
    return await repository.measures_of(session, household.id, after=after, limit=limit)


async def plans_overdue(
    session: AsyncSession,
    principal: Principal,
    settings: MonitoringSettings,
    *,
    today: date,
    after: HouseholdKey | None,
    limit: int,
) -> list[Household]:
    """Monitored households approved more than the configured plan days ago (local rules give
    10) that still have no plan."""
    return await repository.monitored_without_plan(
        session,
        principal,
        identified_before=today - timedelta(days=settings.plan_days),
        after=after,
        limit=limit,
    )


async def households_without_measures(
    session: AsyncSession,
    principal: Principal,
    settings: MonitoringSettings,
    *,
    today: date,
    after: HouseholdKey | None,
    limit: int,
) -> list[Household]:
    """Monitored households approved more than the configured measure days ago (a month by
    default: a household without any measure then is a warning) without any measure."""
    return await repository.monitored_without_measures(
        session,
        principal,
        identified_before=today - timedelta(days=settings.measure_days),
        after=after,
        limit=limit,
    )


def _protect_phone(protector: Protector, raw: str | None) -> Protected | None:
    if raw is None:
        return None
    try:
        return protector.phone(raw)
    except InvalidPhone as exc:
        raise InvalidInput.for_field("body.helper_phone", exc.rule, exc.message) from exc


def _fill(plan: HelpPlan, data: HelpPlanWrite, phone: Protected | None) -> None:
    plan.helper_name = data.helper_name
    plan.helper_unit = data.helper_unit
    plan.notes = data.notes
    plan.helper_phone_cipher = None if phone is None else phone.cipher
    plan.helper_phone_masked = None if phone is None else phone.masked


def _changed_fields(
    protector: Protector, plan: HelpPlan, data: HelpPlanWrite, phone: Protected | None
) -> list[str]:
    changed = [
        name
        for name in ("helper_name", "helper_unit", "notes")
        if getattr(plan, name) != getattr(data, name)
    ]
    # A ciphertext differs on every encryption: phones are compared by their blind index.
    old = plan.helper_phone_cipher
    old_index = None if old is None else protector.blind_index.digest(protector.reveal_phone(old))
    if old_index != (None if phone is None else phone.index):
        changed.append("helper_phone")
    return changed


async def _written(
    session: AsyncSession,
    principal: Principal,
    plan: HelpPlan,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity=PLAN_ENTITY,
        entity_id=str(plan.id),
        area_code=plan.area_code,
        version=plan.version,
        action=action,
        fields=fields,
    )
