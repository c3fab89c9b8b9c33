"""`GET /exports/households` and `GET /exports/cases`: whole datasets of an area, streamed."""

from __future__ import annotations

from fastapi import Request, Response

from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.exports import (
    STREAMED_RESPONSES,
    AreaQuery,
    FormatQuery,
    audit_export,
    export_request,
    export_response,
    flat_export,
)
from services.monitoring.access import Reader
from services.monitoring.exports import repository
from services.monitoring.exports.records import (
    HOUSEHOLD_CSV_COLUMNS,
    HouseholdRecords,
    household_csv_rows,
)

router = UnitOfWorkRouter(prefix="/exports", tags=["exports"])


@router.get(
    "/households",
    response_class=Response,
    responses=STREAMED_RESPONSES,
    summary="Export households with members (农户及家庭成员导出)",
    description=(
        "Every household of the area with its active members, streamed: NDJSON nests the "
        "members, CSV gives one row per member. ID and phone numbers are masked unless the "
        "caller holds `personal_data:reveal` (查看完整证件号码); each export is audited once."
    ),
)
async def export_households(
    request: Request,
    session: SessionDep,
    principal: Reader,
    area: AreaQuery = None,
    format: FormatQuery = "ndjson",
) -> Response:
    export = export_request(principal, area, format)
    await audit_export(session, principal, "households", export, revealed=export.reveal)
    records = HouseholdRecords(export.scope, request.app.state.protector, reveal=export.reveal)
    return export_response(
        request.app.state.database,
        "households",
        export,
        records,
        columns=HOUSEHOLD_CSV_COLUMNS,
        csv_rows=household_csv_rows,
    )


@router.get(
    "/cases",
    response_class=Response,
    responses=STREAMED_RESPONSES,
    summary="Export cases (识别纳入与风险消除案件导出)",
    description="Every identification and risk-elimination case of the area, streamed.",
)
async def export_cases(
    request: Request,
    session: SessionDep,
    principal: Reader,
    area: AreaQuery = None,
    format: FormatQuery = "ndjson",
) -> Response:
    return await flat_export(request, session, principal, "cases", repository.cases, area, format)
