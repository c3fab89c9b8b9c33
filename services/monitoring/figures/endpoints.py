"""`GET /internal/figures`: exact per-area figures for the gateway's indicators (service
tokens only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import BaseModel

from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel, level_of
from services.common.auth.dependencies import require_scope
from services.common.auth.principal import Principal
from services.common.auth.roles import Scope
from services.common.business_time import business_now
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.errors import InvalidInput
from services.common.fields import AreaCode
from services.monitoring.figures import repository

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
    rows: list[AreaFigures]


@router.get(
    "/figures",
    response_model=FiguresAnswer,
    summary="Per-area figures (统计数) for the gateway's indicators",
    description=(
        "Sums of the figures kept exact by every write, grouped at `level` under `area`. "
        "Per-year figures (newly identified) are for `year`; `overdue_cases` is counted at "
        "read time. Needs the `internal` scope (the gateway's service token)."
    ),
)
async def figures(
    session: SessionDep,
    _service: Service,
    area: Annotated[AreaCode, Query()],
    level: Annotated[Literal["province", "city", "county", "township", "village"], Query()],
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
) -> FiguresAnswer:
    depth = AREA_LEVEL_DEPTH[AreaLevel(level)]
    if depth <= AREA_LEVEL_DEPTH[level_of(area)]:
        raise InvalidInput.for_field(
            "query.level", "level_not_below_area", "The level must be below the area's."
        )
    now = business_now()
    year = year or now.year
    rows: dict[str, dict[str, int]] = {}
    for code, metric, value in await repository.stored_figures(session, area, depth, year):
        rows.setdefault(code, {})[metric] = rows.get(code, {}).get(metric, 0) + value
    for code, count in await repository.overdue_cases(session, area, depth, now.date()):
        rows.setdefault(code, {})["overdue_cases"] = count
    return FiguresAnswer(
        area=area,
        level=level,
        year=year,
        as_of=now,
        rows=[AreaFigures(area_code=code, figures=values) for code, values in sorted(rows.items())],
    )
