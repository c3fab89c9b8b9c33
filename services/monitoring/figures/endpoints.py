"""`GET /internal/figures`: exact per-area figures for the gateway's indicators (service
tokens only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import BaseModel

from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel, level_of
from services.common.auth.dependencies import require_scope
from services.common.auth.principal import Principal
from services.common.auth.roles import Scope
from services.common.business_time import business_now
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.dated_figures import MONTH_PATTERN, as_of_day, months_between
from services.common.errors import InvalidInput
from services.common.fields import AreaCode
from services.monitoring.figures import repository
from services.monitoring.figures.series import MonthFigures, series_of

router = UnitOfWorkRouter(prefix="/internal", tags=["internal"])
Service = Annotated[Principal, Depends(require_scope(Scope.INTERNAL))]


class AreaFigures(BaseModel):
    area_code: str
    figures: dict[str, int]


class FiguresAnswer(BaseModel):
    area: str
    level: str
    year: int
    as_of: datetime
    day: date
    rows: list[AreaFigures]


class SeriesAnswer(BaseModel):
    area: str
    months: list[MonthFigures]


@router.get(
    "/figures",
    response_model=FiguresAnswer,
    summary="Per-area figures (统计数) for the gateway's indicators",
    description=(
        "Sums of the figures kept exact by every write, grouped at `level` under `area`, as of "
        "the end of `as_of` (按日统计; default today, never in the future; `day` says which). "
        "Per-year figures (newly identified) are for `year` (default: the year of `as_of`); "
        "`overdue_cases` is counted at read time from the cases' dates. Needs the `internal` "
        "scope (the gateway's service token)."
    ),
)
async def figures(
    session: SessionDep,
    _service: Service,
    area: Annotated[AreaCode, Query()],
    level: Annotated[Literal["province", "city", "county", "township", "village"], Query()],
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
    as_of: Annotated[date | None, Query()] = None,
) -> FiguresAnswer:
    day = as_of_day(as_of)
    past = day < business_now().date()
    depth = AREA_LEVEL_DEPTH[AreaLevel(level)]
    if depth <= AREA_LEVEL_DEPTH[level_of(area)]:
        raise InvalidInput.for_field(
            "query.level", "level_not_below_area", "The level must be below the area's."
        )
    year = year or day.year
    stored = await repository.stored_figures(session, area, depth, year, day if past else None)
    rows: dict[str, dict[str, int]] = {}
    for code, metric, value in stored:
        rows.setdefault(code, {})[metric] = rows.get(code, {}).get(metric, 0) + value
    for code, count in await repository.overdue_cases(session, area, depth, day, past=past):
        rows.setdefault(code, {})["overdue_cases"] = count
    return FiguresAnswer(
        area=area,
        level=level,
        year=year,
        as_of=business_now(),
        day=day,
        rows=[AreaFigures(area_code=code, figures=values) for code, values in sorted(rows.items())],
    )


@router.get(
    "/figures/series",
    response_model=SeriesAnswer,
    summary="One area's figures month by month (按月统计) for the gateway",
    description=(
        "The figures of `area` (all of it) at the end of each month from `from` to `to` "
        "(YYYY-MM, at most 36 months, the current month counted to today): stored figures "
        "from their dated deltas, per-year ones for each month's own year, and the overdue "
        "cases at that day. Needs the `internal` scope."
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
