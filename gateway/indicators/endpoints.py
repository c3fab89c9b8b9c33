"""`GET /indicators` (per-area indicator table, ranked, as of a day, in JSON, CSV or XLSX),
`GET /indicators/series` (one area month by month) and `GET /indicators/catalogue`."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from gateway.indicators import exports, sources
from gateway.indicators.catalogue import BY_KEY, CATALOGUE
from gateway.indicators.table import Row, build, build_series, rank
from gateway.models import Area
from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel, level_of, scope_bounds
from services.common.auth.dependencies import require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.business_time import business_today
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.dated_figures import MONTH_PATTERN, as_of_day, months_between
from services.common.errors import InvalidInput, NotFound
from services.common.fields import AreaCode
from services.common.openapi import TABLE_RESPONSES, XLSX

router = UnitOfWorkRouter(prefix="/indicators", tags=["indicators"])
Viewer = Annotated[
    Principal,
    Depends(
        require_roles(
            Role.TOWNSHIP_REVIEWER,
            Role.COUNTY_APPROVER,
            Role.COUNTY_ADMIN,
            Role.CITY_VIEWER,
            Role.PROVINCE_VIEWER,
            Role.PROVINCE_SYSTEM,
            Role.ADMINISTRATOR,
        )
    ),
]


class IndicatorInfo(BaseModel):
    key: str
    section: str
    name_zh: str
    name_en: str
    unit: str
    formula: str
    sources: list[str]
    higher_is_better: bool


class IndicatorRow(BaseModel):
    area_code: str
    name: str
    rank: int | None
    indicators: dict[str, Decimal | None]


class IndicatorTable(BaseModel):
    area: str
    level: str
    year: int
    as_of: date
    rank_by: str | None
    unavailable: list[str]
    not_applicable: list[str] = Field(
        description="Services with no figures at this level (funds below counties: 资金下达到县)"
    )
    rows: list[IndicatorRow]
    total: IndicatorRow


class SeriesRow(BaseModel):
    month: str
    as_of: date
    indicators: dict[str, Decimal | None]


class IndicatorSeries(BaseModel):
    area: str
    name: str
    start: str
    end: str
    unavailable: list[str]
    not_applicable: list[str]
    rows: list[SeriesRow]


@router.get(
    "/catalogue", response_model=list[IndicatorInfo], summary="Indicator catalogue (指标目录)"
)
async def catalogue(_viewer: Viewer) -> list[IndicatorInfo]:
    return [
        IndicatorInfo(
            key=i.key,
            section=i.section,
            name_zh=i.name_zh,
            name_en=i.name_en,
            unit=i.unit,
            formula=i.formula,
            sources=list(i.sources),
            higher_is_better=i.higher_is_better,
        )
        for i in CATALOGUE
    ]


@router.get(
    "",
    response_model=IndicatorTable,
    responses=TABLE_RESPONSES,
    summary="Per-area indicators, ranked (考核指标排名)",
    description=(
        "One row per area at `level` under `area` (custom areas included), the cross-service "
        "ratios computed from exact counts, a total row, and ranks on `rank_by` (ties share a "
        "rank; each indicator ranks in its own better direction). A service that does not answer "
        "within the deadline leaves its indicators empty and is named in `unavailable`. "
        "`as_of` (截至日期; default today, never in the future) gives the figures as recorded by "
        "the end of that day, `year` defaulting to its year; indicators known for today only "
        "(overdue loans) are empty for a past day. A fund entry entered later with an earlier "
        "document date is not in a past day's figures, while the funds service's progress report "
        "(支出进度报表) for that date, which counts entries by their document dates, includes it. "
        "`format=csv` or `xlsx` gives the table officials circulate."
    ),
)
async def indicators(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    area: Annotated[AreaCode, Query()],
    level: Annotated[
        Literal["province", "city", "county", "township", "village"], Query()
    ] = "county",
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
    rank_by: Annotated[str | None, Query(max_length=60)] = None,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
    as_of: Annotated[date | None, Query()] = None,
) -> Response | IndicatorTable:
    if not viewer.covers(area):
        raise NotFound(f"No area {area} in your jurisdiction.")
    depth = AREA_LEVEL_DEPTH[AreaLevel(level)]
    if depth <= AREA_LEVEL_DEPTH[level_of(area)]:
        raise InvalidInput.for_field(
            "query.level", "level_not_below_area", "The level must be below the area's."
        )
    if rank_by is not None and rank_by not in BY_KEY:
        raise InvalidInput.for_field(
            "query.rank_by",
            "indicator_unknown",
            f"No indicator {rank_by}; see /indicators/catalogue.",
        )
    day = as_of_day(as_of)
    year = year or day.year
    state = request.app.state
    # The registry is read while the services work out their figures.
    collected, (names, area_name) = await asyncio.gather(
        sources.collect(
            state.upstreams,
            state.service_token.current(),
            area=area,
            level=level,
            year=year,
            deadline=state.settings.indicators_deadline_seconds,
            as_of=day if day < business_today() else None,
        ),
        _area_names(session, area, level),
    )
    table = build(collected, names, area, area_name)
    if rank_by:
        rank(table.rows, rank_by)
    if format == "csv":
        return Response(
            exports.to_csv(table),
            media_type="text/csv; charset=utf-8",
            headers=_download("csv", area, year),
        )
    if format == "xlsx":
        title = f"{area_name}{year}年防返贫考核指标（截至{day:%Y年%m月%d日}）"
        return Response(
            exports.to_xlsx(table, title),
            media_type=XLSX,
            headers=_download("xlsx", area, year),
        )
    return IndicatorTable(
        area=area,
        level=level,
        year=year,
        as_of=day,
        rank_by=rank_by,
        unavailable=table.unavailable,
        not_applicable=collected.not_applicable,
        rows=[_row(row) for row in table.rows],
        total=_row(table.total),
    )


@router.get(
    "/series",
    response_model=IndicatorSeries,
    responses=TABLE_RESPONSES,
    summary="One area's indicators month by month (考核指标按月变化)",
    description=(
        "One row per month from `from` to `to` (YYYY-MM, at most 36 months, not after the "
        "current month) for `area`: every indicator of the catalogue at the month's end "
        "(`as_of`; today for the current month), the ratios computed from that day's exact "
        "counts. Indicators known for today only (overdue loans) are empty for past months. "
        "A service that does not answer within the deadline leaves its indicators empty and is "
        "named in `unavailable`. `format=csv` or `xlsx` for the table officials circulate."
    ),
)
async def series(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    area: Annotated[AreaCode, Query()],
    start: Annotated[str, Query(alias="from", pattern=MONTH_PATTERN)],
    end: Annotated[str, Query(alias="to", pattern=MONTH_PATTERN)],
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
) -> Response | IndicatorSeries:
    if not viewer.covers(area):
        raise NotFound(f"No area {area} in your jurisdiction.")
    months = months_between(start, end)
    state = request.app.state
    collected = await sources.collect_series(
        state.upstreams,
        state.service_token.current(),
        area=area,
        start=start,
        end=end,
        deadline=state.settings.indicators_deadline_seconds,
    )
    rows = build_series(collected, [month.label for month in months])
    as_of = {month.label: month.as_of.isoformat() for month in months}
    area_name = await session.scalar(select(Area.name).where(Area.code == area)) or area
    headers = {
        "Content-Disposition": f'attachment; filename="indicators-{area}-{start}-{end}.{format}"'
    }
    if format == "csv":
        return Response(
            exports.series_to_csv(rows, as_of),
            media_type="text/csv; charset=utf-8",
            headers=headers,
        )
    if format == "xlsx":
        title = f"{area_name}防返贫考核指标按月变化（{start}至{end}）"
        return Response(
            exports.series_to_xlsx(rows, as_of, title),
            media_type=XLSX,
            headers=headers,
        )
    return IndicatorSeries(
        area=area,
        name=area_name,
        start=start,
        end=end,
        unavailable=collected.unavailable,
        not_applicable=collected.not_applicable,
        rows=[
            SeriesRow(
                month=row.area_code,
                as_of=date.fromisoformat(as_of[row.area_code]),
                indicators=row.values,
            )
            for row in rows
        ],
    )


def _row(row: Row) -> IndicatorRow:
    return IndicatorRow(
        area_code=row.area_code, name=row.name, rank=row.rank, indicators=row.values
    )


def _download(extension: str, area: str, year: int) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="indicators-{area}-{year}.{extension}"'}


async def _area_names(session: SessionDep, area: str, level: str) -> tuple[dict[str, str], str]:
    """The names of the areas of the level under `area` (custom ones included, dissolved ones
    left out) and the name of `area`."""
    low, high = scope_bounds(area)
    query = select(Area.code, Area.name).where(
        Area.code.between(low, high), Area.level == level, Area.dissolved_on.is_(None)
    )
    names = {code: name for code, name in (await session.execute(query)).all()}
    return names, await session.scalar(select(Area.name).where(Area.code == area)) or area
