"""`GET /internal/figures`: exact per-area figures for the gateway's indicators (service
tokens only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field

from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel, InvalidAreaCode, level_of
from services.common.auth.dependencies import require_scope
from services.common.auth.principal import Principal
from services.common.auth.roles import Scope
from services.common.business_time import business_now
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.dated_figures import MONTH_PATTERN, as_of_day, months_between
from services.common.errors import InvalidInput
from services.common.money import Money
from services.employment.figures.reading import CURRENT_ONLY, figures_by_area
from services.employment.figures.series import series_of

router = UnitOfWorkRouter(prefix="/internal", tags=["internal"])
Service = Annotated[Principal, Depends(require_scope(Scope.INTERNAL))]


class AreaFiguresRead(BaseModel):
    area_code: str
    figures: dict[str, int] = Field(description="counts")
    amounts: dict[str, Money] = Field(description="sums in yuan, as strings")
    ratios: dict[str, str] = Field(description="percentages with two decimals")


class FiguresAnswer(BaseModel):
    area: str
    level: str
    year: int
    as_of: datetime
    day: date = Field(description="The business day the figures are for (按日统计)")
    current_only: list[str] = Field(
        description="Metrics left out because they are known for today only"
    )
    rows: list[AreaFiguresRead]


class MonthFiguresRead(BaseModel):
    month: str
    as_of: date = Field(description="The month's last day, or today for the current month")
    current_only: list[str] = Field(
        description="Metrics left out because they are known for today only"
    )
    figures: dict[str, int] = Field(description="counts")
    amounts: dict[str, Money] = Field(description="sums in yuan, as strings")
    ratios: dict[str, str] = Field(description="percentages with two decimals")


class SeriesAnswer(BaseModel):
    area: str
    months: list[MonthFiguresRead]


@router.get(
    "/figures",
    response_model=FiguresAnswer,
    summary="Per-area employment and microcredit figures (就业与小额信贷统计数) for the gateway",
    description=(
        "Sums of the figures kept exact by every write, grouped at `level` under `area`: "
        "labourers, employed in `year` (by place class) and the county target, posts and "
        "workshops, subsidies paid in `year`, loans (new households, amount lent in `year`, "
        "outstanding households and balance). Overdue loans and the day's workshop and post "
        "workers are counted at read time. With `as_of` (按日统计; default today, never in the "
        "future) the figures are those at the end of that day; overdue loans are current-only "
        "and, for a past day, left out and named in `current_only`. Needs the `internal` scope."
    ),
)
async def figures(
    request: Request,
    session: SessionDep,
    _service: Service,
    area: Annotated[str, Query(pattern=r"^[0-9]{12}$")],
    level: Annotated[Literal["province", "city", "county", "township", "village"], Query()],
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
    as_of: Annotated[date | None, Query()] = None,
) -> FiguresAnswer:
    depth = AREA_LEVEL_DEPTH[AreaLevel(level)]
    try:
        area_depth = AREA_LEVEL_DEPTH[level_of(area)]
    except InvalidAreaCode as error:
        raise InvalidInput.for_field("query.area", "area_code", error.message) from None
    if depth <= area_depth:
        raise InvalidInput.for_field(
            "query.level", "level_not_below_area", "The level must be below the area's."
        )
    now = business_now()
    day = as_of_day(as_of)
    past = day < now.date()
    year = year or day.year
    rows = await figures_by_area(
        session,
        request.app.state.settings,
        area=area,
        depth=depth,
        year=year,
        today=day,
        past=past,
    )
    return FiguresAnswer(
        area=area,
        level=level,
        year=year,
        as_of=now,
        day=day,
        current_only=list(CURRENT_ONLY) if past else [],
        rows=[
            AreaFiguresRead(
                area_code=row.area_code,
                figures=row.counts(),
                amounts=row.amounts(),
                ratios=row.ratios(),
            )
            for row in rows
        ],
    )


@router.get(
    "/figures/series",
    response_model=SeriesAnswer,
    summary="One area's employment and microcredit figures month by month (按月统计)",
    description=(
        "The figures of `area` (all of it) at the end of each month from `from` to `to` "
        "(YYYY-MM, at most 36 months, the current month counted to today). Overdue loans are "
        "current-only: given for the current month, named in `current_only` for the others. "
        "Needs the `internal` scope."
    ),
)
async def figures_series(
    request: Request,
    session: SessionDep,
    _service: Service,
    area: Annotated[str, Query(pattern=r"^[0-9]{12}$")],
    start: Annotated[str, Query(alias="from", pattern=MONTH_PATTERN)],
    end: Annotated[str, Query(alias="to", pattern=MONTH_PATTERN)],
) -> SeriesAnswer:
    try:
        level_of(area)
    except InvalidAreaCode as error:
        raise InvalidInput.for_field("query.area", "area_code", error.message) from None
    months = months_between(start, end)
    series = await series_of(session, request.app.state.settings, area, months)
    return SeriesAnswer(
        area=area,
        months=[
            MonthFiguresRead(
                month=month.label,
                as_of=month.as_of,
                current_only=left_out,
                figures=figures.counts(),
                amounts=figures.amounts(),
                ratios=figures.ratios(),
            )
            for month, figures, left_out in series
        ],
    )
