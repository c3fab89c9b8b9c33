"""`GET /reports/progress`: the spending progress report (支出进度报表) as JSON, CSV or XLSX."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import Query, Response

from services.common.business_time import business_now
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.openapi import TABLE_RESPONSES, XLSX
from services.funds.access import CountyReader
from services.funds.reports import export, service
from services.funds.reports.schemas import ProgressReport
from services.funds.schemas import AreaCode, YearQuery

router = UnitOfWorkRouter(prefix="/reports", tags=["reports"])


@router.get(
    "/progress",
    response_model=ProgressReport,
    summary="Spending progress report per county, as of a date (支出进度报表)",
    description=(
        "Per county under `area` (default: your own), for fund `year` (default: the date's "
        "year), as of `date` (default: today): allocated by level, linked, linked to industry, "
        "paid, spending progress, industry share, the milestone in force, the shortfall and the "
        "card; the total row last. Each entry counts by its own document date (下达日期, 对接日期, "
        "凭证日期), so a voucher dated before `date` and entered after it counts; the indicators' "
        "`as_of` counts what was recorded by the end of the day instead. `format=csv` or "
        "`format=xlsx` gives the same table with Chinese column titles and a title row."
    ),
    responses=TABLE_RESPONSES,
)
async def progress(
    session: SessionDep,
    principal: CountyReader,
    area: Annotated[AreaCode | None, Query()] = None,
    day: Annotated[date | None, Query(alias="date")] = None,
    year: YearQuery = None,
    output: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format")] = "json",
) -> ProgressReport | Response:
    now = business_now()
    day = day or now.date()
    report = await service.progress_report(
        session,
        principal,
        area=area or principal.area,
        year=year or day.year,
        day=day,
        now=now,
    )
    if output == "json":
        return report
    name = f"{report.year}年度衔接资金支出进度_{report.area}_{report.as_of.isoformat()}.{output}"
    headers = {
        "Content-Disposition": "attachment; filename=progress."
        f"{output}; filename*=UTF-8''{quote(name)}"
    }
    if output == "csv":
        return Response(
            export.to_csv(report), media_type="text/csv; charset=utf-8", headers=headers
        )
    return Response(export.to_xlsx(report), media_type=XLSX, headers=headers)
