"""What officers do with warnings and leads: read them (audited), acknowledge, dismiss with a
reason, or open an identification case from them through the cases' own rules. Every change
moves the area figures and goes into the change feed and the audit log."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.auth.roles import Scope
from services.common.concurrency import check_version
from services.common.errors import Conflict, NotFound
from services.common.history import record_write
from services.common.personal_data import Protector
from services.monitoring.cases import service as cases
from services.monitoring.cases.schemas import CaseOpen
from services.monitoring.codes.book import CodeBook
from services.monitoring.feeds.records import DETAILS
from services.monitoring.figures import rollups
from services.monitoring.models import Case, DepartmentWarning
from services.monitoring.settings import MonitoringSettings
from services.monitoring.warnings import figures, repository
from services.monitoring.warnings.schemas import (
    CaseFromLead,
    CaseFromWarning,
    WarningEventRead,
    WarningRead,
)

ENTITY = "department_warning"


async def read(
    session: AsyncSession,
    principal: Principal,
    protector: Protector,
    kind: str,
    warning_id: uuid.UUID,
) -> tuple[DepartmentWarning, list[WarningEventRead]]:
    """The warning and its events; the records' details only with the reveal scope."""
    warning = await _get(session, principal, kind, warning_id)
    reveal = principal.has_scope(Scope.PERSONAL_DATA_REVEAL)
    events = [
        WarningEventRead(
            **{name: value for name, value in row._mapping.items() if name != "details_cipher"},
            details=_details(protector, row.details_cipher) if reveal else None,
        )
        for row in await repository.events_of(session, warning.id)
    ]
    await record_audit(
        session,
        principal,
        action="read",
        entity=ENTITY,
        entity_id=str(warning.id),
        area_code=warning.area_code,
        details={"details_revealed": reveal} if reveal else None,
    )
    return warning, events


async def list_warnings(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    *,
    filters: dict[str, Any],
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[DepartmentWarning]:
    """A page of warnings (and one more, to tell whether another page follows); the read
    is audited with the ids of the page."""
    warnings = await repository.list_warnings(
        session, principal, kind, filters=filters, after=after, limit=limit + 1
    )
    await record_audit(
        session,
        principal,
        action="list",
        entity=ENTITY,
        entity_id=kind,
        area_code=principal.area,
        details={"ids": [str(warning.id) for warning in warnings[:limit]]},
    )
    return warnings


async def acknowledge(
    session: AsyncSession, principal: Principal, kind: str, warning_id: uuid.UUID, expected: int
) -> DepartmentWarning:
    """The officer has seen it and will verify (已知悉); it stays active."""
    warning = await _changeable(session, principal, kind, warning_id, expected)
    if warning.state != "open":
        raise Conflict(f"The {kind} is already acknowledged.", code="warning_not_open")
    warning.state = "acknowledged"
    warning.acknowledged_by, warning.acknowledged_at = principal.subject, datetime.now(UTC)
    return await _changed(session, principal, warning, "acknowledge")


async def dismiss(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    warning_id: uuid.UUID,
    reason: str,
    expected: int,
) -> DepartmentWarning:
    """Verified and needing no case (排除), with the reason; a later record raises a new one."""
    warning = await _changeable(session, principal, kind, warning_id, expected)
    _close(warning, principal, "dismissed")
    warning.dismissal_reason = reason
    await rollups.bump(session, warning.area_code, [(figures.OPEN[kind], -1)])
    return await _changed(session, principal, warning, "dismiss")


async def open_case(
    session: AsyncSession,
    principal: Principal,
    book: CodeBook,
    settings: MonitoringSettings,
    kind: str,
    warning_id: uuid.UUID,
    data: CaseFromWarning | CaseFromLead,
    expected: int,
) -> tuple[DepartmentWarning, Case]:
    """An identification case on the household, with this warning as its source (部门预警);
    the warning is marked converted."""
    warning = await _changeable(session, principal, kind, warning_id, expected)
    if isinstance(data, CaseFromLead):
        if not await repository.is_active_member(
            session, principal, data.household_id, warning.person_number_index
        ):
            raise Conflict(
                "The household does not hold the lead's person; register them first.",
                code="lead_person_not_in_household",
            )
        household_id = data.household_id
    else:
        assert warning.household_id is not None
        household_id = warning.household_id
    case, _ = await cases.open_case(
        session,
        principal,
        CaseOpen(
            household_id=household_id,
            procedure="identification",
            source=cases.WARNING_SOURCE,
            proposed_category=data.proposed_category,
            proposed_risk_types=data.proposed_risk_types or [warning.risk_type],
        ),
        book,
        settings,
        warning_id=warning.id,
    )
    _close(warning, principal, "converted")
    warning.case_id = case.id
    await rollups.bump(
        session, warning.area_code, [(figures.OPEN[kind], -1), (figures.CONVERTED[kind], 1)]
    )
    return await _changed(session, principal, warning, "convert"), case


async def reveal_person_number(
    session: AsyncSession,
    principal: Principal,
    protector: Protector,
    kind: str,
    warning_id: uuid.UUID,
) -> str:
    warning = await _get(session, principal, kind, warning_id)
    await record_audit(
        session,
        principal,
        action="reveal_person_number",
        entity=ENTITY,
        entity_id=str(warning.id),
        area_code=warning.area_code,
    )
    return protector.reveal_person_number(warning.person_number_cipher)


def _close(warning: DepartmentWarning, principal: Principal, state: str) -> None:
    warning.state = state
    warning.closed_by, warning.closed_at = principal.subject, datetime.now(UTC)


def _details(protector: Protector, cipher: bytes | None) -> dict[str, Any] | None:
    if cipher is None:
        return None
    details: dict[str, Any] = json.loads(protector.keyring.decrypt(cipher, DETAILS))
    return details


async def _get(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    warning_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> DepartmentWarning:
    warning = await repository.get_warning(
        session, principal, kind, warning_id, for_update=for_update
    )
    if warning is None:
        raise NotFound(f"No {kind} {warning_id}.")
    return warning


async def _changeable(
    session: AsyncSession, principal: Principal, kind: str, warning_id: uuid.UUID, expected: int
) -> DepartmentWarning:
    warning = await _get(session, principal, kind, warning_id, for_update=True)
    check_version(
        expected, warning.version, WarningRead.model_validate(warning).model_dump(mode="json")
    )
    if warning.state not in repository.ACTIVE:
        raise Conflict(f"The {kind} is {warning.state}.", code="warning_closed")
    return warning


async def _changed(
    session: AsyncSession, principal: Principal, warning: DepartmentWarning, action: str
) -> DepartmentWarning:
    warning.version += 1
    await session.flush()
    await record_write(
        session,
        principal,
        entity=ENTITY,
        entity_id=str(warning.id),
        area_code=warning.area_code,
        version=warning.version,
        action=action,
    )
    return warning
