"""`GET /internal/figures`: exact per-area figures for the gateway's indicators (service
tokens only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field

from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel, InvalidAreaCode, level_of
from services.common.auth.dependencies import require_scope
from services.common.auth.principal import Principal
from services.common.auth.roles import Scope
from services.common.business_time import business_now
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.errors import InvalidInput
from services.common.money import Money
from services.employment.figures.reading import figures_by_area

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
    rows: list[AreaFiguresRead]


@router.get(
    "/figures",
    response_model=FiguresAnswer,
    summary="Per-area employment and microcredit figures (就业与小额信贷统计数) for the gateway",
    description=(
        "Sums of the figures kept exact by every write, grouped at `level` under `area`: "
        "labourers, employed in `year` (by place class) and the county target, posts and "
        "workshops, subsidies paid in `year`, loans (new households, amount lent in `year`, "
        "outstanding households and balance). Overdue loans and today's workshop and post "
        "workers are counted at read time. Needs the `internal` scope."
    ),
)
async def figures(
    request: Request,
    session: SessionDep,
    _service: Service,
    area: Annotated[str, Query(pattern=r"^[0-9]{12}$")],
    level: Annotated[Literal["province", "city", "county", "township", "village"], Query()],
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
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
    year = year or now.year
    rows = await figures_by_area(
        session, request.app.state.settings, area=area, depth=depth, year=year, today=now.date()
    )
    return FiguresAnswer(
        area=area,
        level=level,
        year=year,
        as_of=now,
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
