"""`GET /exports/projects` and `GET /exports/payments`: whole datasets of an area, streamed."""

from __future__ import annotations

from fastapi import Request, Response

from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.exports import (
    STREAMED_RESPONSES,
    AreaQuery,
    FormatQuery,
    audit_export,
    columns_of,
    export_request,
    export_response,
    query_records,
)
from services.funds.access import Reader
from services.funds.exports import repository

router = UnitOfWorkRouter(prefix="/exports", tags=["exports"])


@router.get(
    "/projects",
    response_class=Response,
    responses=STREAMED_RESPONSES,
    summary="Export projects (项目库导出)",
    description="Every project of the area's library, whatever its status, streamed.",
)
async def export_projects(
    request: Request,
    session: SessionDep,
    principal: Reader,
    area: AreaQuery = None,
    format: FormatQuery = "ndjson",
) -> Response:
    export = export_request(principal, area, format)
    await audit_export(session, principal, "projects", export)
    query = repository.projects(export.scope)
    return export_response(
        request.app.state.database,
        "projects",
        export,
        query_records(query),
        columns=columns_of(query),
    )


@router.get(
    "/payments",
    response_class=Response,
    responses=STREAMED_RESPONSES,
    summary="Export payments (资金支付导出)",
    description="Every payment and refund (退款) against the area's projects, streamed.",
)
async def export_payments(
    request: Request,
    session: SessionDep,
    principal: Reader,
    area: AreaQuery = None,
    format: FormatQuery = "ndjson",
) -> Response:
    export = export_request(principal, area, format)
    await audit_export(session, principal, "payments", export)
    query = repository.payments(export.scope)
    return export_response(
        request.app.state.database,
        "payments",
        export,
        query_records(query),
        columns=columns_of(query),
    )
