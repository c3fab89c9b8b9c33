"""`GET /exports/projects` and `GET /exports/payments`: whole datasets of an area, streamed."""

from __future__ import annotations

from fastapi import Request, Response

from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.exports import (
    STREAMED_RESPONSES,
    AreaQuery,
    FormatQuery,
    flat_export,
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
    return await flat_export(
        request, session, principal, "projects", repository.projects, area, format
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
    return await flat_export(
        request, session, principal, "payments", repository.payments, area, format
    )
