"""The rules of cases: opening one, taking its steps, and recording a reversed elimination.
Every write goes into the change feed and the audit log; services flush, never commit."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.concurrency import check_version
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.history import record_write
from services.monitoring.cases import outcomes, repository
from services.monitoring.cases.periods import OPENED_DAYS_BACK
from services.monitoring.cases.requirements import check_opening, check_step_data
from services.monitoring.cases.rules import check_elimination_rules
from services.monitoring.cases.schemas import CaseOpen, CaseRead, CaseStepAction
from services.monitoring.cases.transitions import (
    CHAINS,
    CLOSED,
    Action,
    Outcome,
    Procedure,
    Step,
    check_may_act,
    first_step,
    next_step,
    previous_step,
)
from services.monitoring.codes.book import CodeBook
from services.monitoring.households.repository import get_household
from services.monitoring.models import Case, CaseStep, Household
from services.monitoring.settings import MonitoringSettings

ENTITY = "case"
OPENING_STEP = "opening"  # the step row that records who opened the case and on what facts
REVERSAL_STEP = "elimination_reversal"
# case_source code (部门预警) of a case opened from a department warning, which only the
# warning's own route records (see `open_case`).
WARNING_SOURCE = "department_warning"


def deadline_days(settings: MonitoringSettings, procedure: Procedure) -> int:
    """Days from opening to the deadline of a case (识别纳入时限, 风险消除时限)."""
    if procedure == Procedure.IDENTIFICATION:
        return settings.identification_deadline_days
    return settings.elimination_deadline_days


def _opened_on(given: date | None, today: date) -> date:
    if given is None:
        return today
    if given > today:
        raise InvalidInput.for_field(
            "body.opened_on", "date_in_future", "A case cannot be opened on a future day."
        )
    if given < today - timedelta(days=OPENED_DAYS_BACK):
        raise InvalidInput.for_field(
            "body.opened_on",
            "too_far_back",
            f"A case is recorded at most {OPENED_DAYS_BACK} days after it was opened.",
        )
    return given


async def open_case(
    session: AsyncSession,
    principal: Principal,
    data: CaseOpen,
    book: CodeBook,
    settings: MonitoringSettings,
    *,
    warning_id: uuid.UUID | None = None,
) -> tuple[Case, list[CaseStep]]:
    """A new case at its first step (立案), with its deadline: fixed now from the configured
    days, so a later change of the setting moves only the cases opened after it.

    `warning_id` is the department warning the case is opened from, given only by the
    warning's route (`warnings.service.open_case`), which records it as the case's source and
    counts the warning converted. Without it, `source=department_warning` is refused (422
    `use_warning_route`): `POST /cases` and the field sync's `open_case` take free input, and
    a case opened there would leave its warning open and uncounted."""
    check_opening(data, book)
    if warning_id is None and data.source == WARNING_SOURCE:
        raise InvalidInput.for_field(
            "body.source",
            "use_warning_route",
            "A case from a department warning (部门预警) is opened on the warning: "
            "POST /api/v1/warnings/{id}/case.",
        )
    household = await get_household(session, principal, data.household_id)
    if household is None:
        raise NotFound(f"No household {data.household_id}.")
    procedure = Procedure(data.procedure)
    today = business_today()
    opened_on = _opened_on(data.opened_on, today)
    monitored = household.monitoring_status == outcomes.MONITORED
    if procedure == Procedure.IDENTIFICATION and monitored:
        raise Conflict(
            "The household is already a monitoring object.", code="household_already_monitored"
        )
    if procedure == Procedure.ELIMINATION and not monitored:
        raise Conflict(
            "Only a monitoring object's risk can be eliminated.", code="household_not_monitored"
        )
    if await repository.open_case_exists(session, household.id, procedure):
        raise _already_open(procedure)
    details: dict[str, object] = {}
    if procedure == Procedure.ELIMINATION:
        facts = await check_elimination_rules(
            session,
            household,
            large_costs_resolved=bool(data.large_costs_resolved),
            guarantees_secure=bool(data.guarantees_secure),
            today=today,
        )
        details = {
            "large_costs_resolved": data.large_costs_resolved,
            "guarantees_secure": data.guarantees_secure,
            "facts": facts,
        }
    case = Case(
        id=uuid.uuid4(),
        household_id=household.id,
        area_code=household.area_code,
        procedure=procedure.value,
        source=data.source,
        source_reference=data.source_reference if warning_id is None else str(warning_id),
        elimination_kind=data.elimination_kind,
        state=first_step(procedure).value,
        proposed_category=data.proposed_category,
        proposed_risk_types=list(data.proposed_risk_types or household.risk_types),
        opened_by=principal.subject,
        opened_on=opened_on,
        deadline_on=opened_on + timedelta(days=deadline_days(settings, procedure)),
        version=1,
    )
    try:
        # The unique partial index settles a race between two officers opening at once.
        async with session.begin_nested():
            session.add(case)
            await session.flush()
    except IntegrityError as exc:
        raise _already_open(procedure) from exc
    step = _step(principal, case, OPENING_STEP, "open", None, details)
    session.add(step)
    await session.flush()
    await _written(session, principal, case, "create")
    return case, [step]


async def read_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> tuple[Case, list[CaseStep]]:
    case = await _get(session, principal, case_id)
    await record_audit(
        session,
        principal,
        action="read",
        entity=ENTITY,
        entity_id=str(case.id),
        area_code=case.area_code,
    )
    return case, await repository.steps_of(session, case.id)


async def act_on_case(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    data: CaseStepAction,
    version: int,
    settings: MonitoringSettings,
) -> tuple[Case, list[CaseStep]]:
    """Complete, send back or reject the step the case is at; the county's completion decides
    the case and changes the household."""
    case = await _get(session, principal, case_id, for_update=True)
    today = business_today()
    if case.closed_on is not None:
        raise Conflict(f"The case was closed on {case.closed_on}.", code="case_closed")
    current = CaseRead.of(case, today, settings.notice_days)
    check_version(version, case.version, current.model_dump(mode="json"))
    procedure = Procedure(case.procedure)
    check_may_act(procedure, case.state, data.step, data.action, principal.role)
    details = check_step_data(case, data, today, settings.notice_days)
    fields = ["state"]
    if data.action == Action.REJECT:
        _close(case, Outcome.REJECTED, today)
        fields += ["closed_on", "outcome"]
    elif data.action == Action.SEND_BACK:
        back = previous_step(procedure, data.step)
        assert back is not None  # check_may_act refuses sending back from the first step
        case.state = back.value
        chain = CHAINS[procedure]
        # Back at the village review or before, the review and its notice are held again.
        if chain.index(back) <= chain.index(Step.VILLAGE_REVIEW) and case.notice_started_on:
            case.notice_started_on = None
            fields.append("notice_started_on")
    else:
        following = next_step(procedure, data.step)
        if data.step == Step.VILLAGE_REVIEW:
            case.notice_started_on = data.notice_started_on
            fields.append("notice_started_on")
        if following is None:
            facts = await _decide(session, principal, case, procedure, today)
            if facts is not None:
                details["facts"] = facts
            fields += ["closed_on", "outcome"]
        else:
            case.state = following.value
    case.version += 1
    session.add(_step(principal, case, data.step, data.action, data.findings, details))
    await session.flush()
    await _written(session, principal, case, data.action.value, fields)
    return case, await repository.steps_of(session, case.id)


async def reopen_after_revisit(
    session: AsyncSession, principal: Principal, household: Household, reason: str
) -> Case:
    """A revisit found the risk back (风险消除回退): the eliminated household is monitored again,
    and a closed case of procedure `elimination_reversal` (outcome `reopened`) keeps the record
    with one step holding the reason. The caller has found the household in the principal's
    area and locked it (`for_update=True`); 409 `household_not_eliminated` otherwise."""
    if household.monitoring_status != outcomes.ELIMINATED:
        raise Conflict("The household's risk is not eliminated.", code="household_not_eliminated")
    if not reason.strip():
        raise InvalidInput.for_field("reason", "required", "A reversal needs the reason.")
    today = business_today()
    eliminated_on = household.eliminated_on
    await outcomes.reverse_elimination(session, principal, household)
    case = Case(
        id=uuid.uuid4(),
        household_id=household.id,
        area_code=household.area_code,
        procedure=Procedure.ELIMINATION_REVERSAL.value,
        state=CLOSED,
        proposed_category=household.monitoring_category,
        proposed_risk_types=list(household.risk_types),
        opened_by=principal.subject,
        opened_on=today,
        deadline_on=today,
        closed_on=today,
        outcome=Outcome.REOPENED.value,
        version=1,
    )
    session.add(case)
    await session.flush()
    details: dict[str, object] = {
        "eliminated_on": eliminated_on.isoformat() if eliminated_on else None
    }
    session.add(_step(principal, case, REVERSAL_STEP, "reopen", reason.strip(), details))
    await session.flush()
    await _written(session, principal, case, "create")
    return case


async def _decide(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    procedure: Procedure,
    today: date,
) -> dict[str, object] | None:
    """The county's approval (县级审批): the household changes and the case closes.

    An elimination's rules are checked again first, on the household as it is now and with the
    officer's answers kept at the opening: what changed during the review (the only member able
    to work left, an income was corrected) refuses the approval with the unmet rules named, as
    the opening would have, before anything is written. The facts read are returned for the
    step."""
    household = await get_household(session, principal, case.household_id, for_update=True)
    if household is None:
        raise NotFound(f"No household {case.household_id}.")
    facts = None
    if procedure == Procedure.IDENTIFICATION:
        await outcomes.identify(session, principal, household, case, today)
    else:
        opening = await repository.step_details(session, case.id, OPENING_STEP)
        facts = await check_elimination_rules(
            session,
            household,
            large_costs_resolved=opening.get("large_costs_resolved") is True,
            guarantees_secure=opening.get("guarantees_secure") is True,
            today=today,
        )
        await outcomes.eliminate(session, principal, household, today)
    _close(case, Outcome.APPROVED, today)
    return facts


def _close(case: Case, outcome: Outcome, today: date) -> None:
    case.state = CLOSED
    case.outcome = outcome.value
    case.closed_on = today


def _already_open(procedure: Procedure) -> Conflict:
    return Conflict(
        f"The household already has an open {procedure} case.", code="case_already_open"
    )


def _step(
    principal: Principal,
    case: Case,
    step: str,
    action: str,
    findings: str | None,
    details: dict[str, object],
) -> CaseStep:
    return CaseStep(
        case_id=case.id,
        step=step,
        action=action,
        actor=principal.subject,
        actor_role=principal.role.value,
        findings=findings,
        details=details,
    )


async def _get(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, *, for_update: bool = False
) -> Case:
    case = await repository.get_case(session, principal, case_id, for_update=for_update)
    if case is None:
        raise NotFound(f"No case {case_id}.")
    return case


async def _written(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity=ENTITY,
        entity_id=str(case.id),
        area_code=case.area_code,
        version=case.version,
        action=action,
        fields=fields,
    )
