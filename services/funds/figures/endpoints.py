"""`GET /internal/figures`: exact per-area figures and each county's card today, for the
gateway's indicators (service tokens only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Query

from services.common.areas import AreaLevel
from services.common.auth.dependencies import require_scope
from services.common.auth.principal import Principal
from services.common.auth.roles import Scope
from services.common.business_time import business_now
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.dated_figures import MONTH_PATTERN, as_of_day, months_between
from services.funds.figures import service
from services.funds.figures.schemas import FiguresAnswer, SeriesAnswer
from services.funds.figures.series import series_of
from services.funds.schemas import AreaCode

router = UnitOfWorkRouter(prefix="/internal", tags=["internal"])
Service = Annotated[Principal, Depends(require_scope(Scope.INTERNAL))]


@router.get(
    "/figures",
    response_model=FiguresAnswer,
    summary="Per-area fund figures and each county's card today (资金统计数、亮牌)",
    description=(
        "Sums of the figures kept exact by every write, grouped at `level` (county or above) "
        "under `area`: allocated (by level), linked (by category), paid and projects by status "
        "for `year`; assets by kind and value (all years, not disposed). Spending progress and "
        "industry share are derived here and, at county level, the card each county holds "
        "today under its province's rules. With `as_of` (按日统计; default today, never in the "
        "future) the figures are those at the end of that day and the cards are judged on it; "
        "`year` defaults to the year of `as_of`. Needs the `internal` scope (the gateway's "
        "token)."
    ),
)
async def figures(
    session: SessionDep,
    _service: Service,
    area: Annotated[AreaCode, Query()],
    level: Annotated[Literal["province", "city", "county"], Query()],
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    as_of: Annotated[date | None, Query()] = None,
) -> FiguresAnswer:
    now = business_now()
    day = as_of_day(as_of)
    past = day if day < now.date() else None
    return await service.figures_under(session, area, AreaLevel(level), year or day.year, now, past)


@router.get(
    "/figures/series",
    response_model=SeriesAnswer,
    summary="One area's fund figures month by month (按月资金统计数) for the gateway",
    description=(
        "The figures of `area` (a county or above, all of it) at the end of each month from "
        "`from` to `to` (YYYY-MM, at most 36 months, the current month counted to today), with "
        "progress, industry share and, for a county, the card held on that day. Needs the "
        "`internal` scope."
    ),
)
async def figures_series(
    session: SessionDep,
    _service: Service,
    area: Annotated[AreaCode, Query()],
    start: Annotated[str, Query(alias="from", pattern=MONTH_PATTERN)],
    end: Annotated[str, Query(alias="to", pattern=MONTH_PATTERN)],
) -> SeriesAnswer:
    months = months_between(start, end)
    return SeriesAnswer(area=area, months=await series_of(session, area, months))
