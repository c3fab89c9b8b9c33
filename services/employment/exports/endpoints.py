"""`GET /exports/loans`: the area's microcredit loans, streamed."""

from __future__ import annotations

from fastapi import Request, Response

from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.exports import (
    STREAMED_RESPONSES,
    AreaQuery,
    FormatQuery,
    flat_export,
)
from services.employment.access import Reader
from services.employment.exports import repository

router = UnitOfWorkRouter(prefix="/exports", tags=["exports"])


@router.get(
    "/loans",
    response_class=Response,
    responses=STREAMED_RESPONSES,
    summary="Export microcredit loans (小额信贷导出)",
    description=(
        "Every loan of the area in any status, streamed. The borrower's ID number is always "
        "masked: this service keeps it only masked (the registry holds the full number)."
    ),
)
async def export_loans(
    request: Request,
    session: SessionDep,
    principal: Reader,
    area: AreaQuery = None,
    format: FormatQuery = "ndjson",
) -> Response:
    return await flat_export(request, session, principal, "loans", repository.loans, area, format)
