"""`/warnings` (预警, on registered households) and `/leads` (线索, on people the registry does
not hold): officers list them for their area, read them, acknowledge, dismiss with a reason,
or open an identification case from them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from services.common.auth.dependencies import require_scope
from services.common.auth.principal import Principal
from services.common.auth.roles import Scope
from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.errors import InvalidInput
from services.common.fields import AreaCode
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.monitoring.access import Reader, Registrar
from services.monitoring.codes.book import code_book
from services.monitoring.warnings import service
from services.monitoring.warnings.schemas import (
    CaseFromLead,
    CaseFromWarning,
    Dismissal,
    PersonNumberRevealed,
    WarningDetail,
    WarningKind,
    WarningRead,
    WarningState,
)

Revealer = Annotated[Principal, Depends(require_scope(Scope.PERSONAL_DATA_REVEAL))]
LABELS: dict[WarningKind, tuple[str, str]] = {
    "warning": ("warning (预警)", "warnings (预警)"),
    "lead": ("lead (线索)", "leads (线索)"),
}


def kind_router(kind: WarningKind, prefix: str) -> UnitOfWorkRouter:
    """The routes warnings and leads share."""
    router = UnitOfWorkRouter(prefix=prefix, tags=["department warnings"])
    label, plural = LABELS[kind]

    @router.get("", response_model=Page[WarningRead], summary=f"List the {plural} of your area")
    async def list_all(
        session: SessionDep,
        principal: Reader,
        state: WarningState | None = None,
        active: Annotated[
            bool | None, Query(description="Only open or acknowledged ones (未处理)")
        ] = None,
        village: Annotated[AreaCode | None, Query(description="Only this area's")] = None,
        household_id: uuid.UUID | None = None,
        risk_type: Annotated[str | None, Query(max_length=40)] = None,
        source: Annotated[str | None, Query(max_length=40)] = None,
        rule_code: Annotated[str | None, Query(max_length=60)] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[WarningRead]:
        filters = {
            "state": state,
            "active": active,
            "area_code": village,
            "household_id": household_id,
            "risk_type": risk_type,
            "source": source,
            "rule_code": rule_code,
        }
        rows = await service.list_warnings(
            session, principal, kind, filters=filters, after=_after(cursor), limit=limit
        )
        items, next_cursor = page_of(rows, limit, lambda w: [w.created_at.isoformat(), w.id])
        return Page[WarningRead](
            items=[WarningRead.model_validate(w) for w in items], next_cursor=next_cursor
        )

    @router.get(
        "/{warning_id}",
        response_model=WarningDetail,
        summary=f"One {label} with its events; details need personal_data:reveal",
    )
    async def read_one(
        warning_id: uuid.UUID,
        request: Request,
        session: SessionDep,
        principal: Reader,
        response: Response,
    ) -> WarningDetail:
        warning, events = await service.read(
            session, principal, request.app.state.protector, kind, warning_id
        )
        set_etag(response, warning.version)
        return WarningDetail(**WarningRead.model_validate(warning).model_dump(), events=events)

    @router.post(
        "/{warning_id}/acknowledge",
        response_model=WarningRead,
        summary=f"Acknowledge a {label} (已知悉), with If-Match",
    )
    async def acknowledge(
        warning_id: uuid.UUID,
        version: IfMatchVersion,
        session: SessionDep,
        principal: Registrar,
        response: Response,
    ) -> WarningRead:
        warning = await service.acknowledge(session, principal, kind, warning_id, version)
        set_etag(response, warning.version)
        return WarningRead.model_validate(warning)

    @router.post(
        "/{warning_id}/dismiss",
        response_model=WarningRead,
        summary=f"Dismiss a {label} with the reason (排除), with If-Match",
    )
    async def dismiss(
        warning_id: uuid.UUID,
        data: Dismissal,
        version: IfMatchVersion,
        session: SessionDep,
        principal: Registrar,
        response: Response,
    ) -> WarningRead:
        warning = await service.dismiss(session, principal, kind, warning_id, data.reason, version)
        set_etag(response, warning.version)
        return WarningRead.model_validate(warning)

    return router


warnings_router = kind_router("warning", "/warnings")
leads_router = kind_router("lead", "/leads")


@warnings_router.post(
    "/{warning_id}/case",
    status_code=201,
    response_model=WarningRead,
    summary="Open an identification case (识别纳入) from a warning, with If-Match",
)
async def case_from_warning(
    warning_id: uuid.UUID,
    data: CaseFromWarning,
    version: IfMatchVersion,
    request: Request,
    session: SessionDep,
    principal: Registrar,
    response: Response,
) -> WarningRead:
    book = await code_book(request, session)
    warning, case = await service.open_case(
        session, principal, book, request.app.state.settings, "warning", warning_id, data, version
    )
    return _converted(response, warning, case.id)


@leads_router.post(
    "/{warning_id}/case",
    status_code=201,
    response_model=WarningRead,
    summary="Open an identification case from a lead on the household now holding its person",
)
async def case_from_lead(
    warning_id: uuid.UUID,
    data: CaseFromLead,
    version: IfMatchVersion,
    request: Request,
    session: SessionDep,
    principal: Registrar,
    response: Response,
) -> WarningRead:
    book = await code_book(request, session)
    lead, case = await service.open_case(
        session, principal, book, request.app.state.settings, "lead", warning_id, data, version
    )
    return _converted(response, lead, case.id)


@leads_router.get(
    "/{warning_id}/person-number",
    response_model=PersonNumberRevealed,
    summary="The lead's full ID number (查看完整证件号码): needs personal_data:reveal; audited",
)
async def reveal_lead_person_number(
    warning_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    _reader: Reader,
    principal: Revealer,
) -> PersonNumberRevealed:
    number = await service.reveal_person_number(
        session, principal, request.app.state.protector, "lead", warning_id
    )
    return PersonNumberRevealed(person_number=number)


def _converted(response: Response, warning: object, case_id: uuid.UUID) -> WarningRead:
    read = WarningRead.model_validate(warning)
    set_etag(response, read.version)
    response.headers["Location"] = f"/api/v1/cases/{case_id}"
    return read


def _after(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    after = decode_cursor(cursor, (str, uuid.UUID))
    if after is None:
        return None
    try:
        return datetime.fromisoformat(after[0]), after[1]
    except ValueError as exc:
        raise InvalidInput.for_field(
            "query.cursor", "cursor_invalid", "The cursor is not one this list handed out."
        ) from exc
