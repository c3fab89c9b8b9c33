"""`GET /internal/figures`: exact per-area figures and each county's card today, for the
gateway's indicators (service tokens only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query

from services.common.areas import AreaLevel
from services.common.auth.dependencies import require_scope
from services.common.auth.principal import Principal
from services.common.auth.roles import Scope
from services.common.business_time import business_now
from services.common.database import SessionDep, UnitOfWorkRouter
from services.funds.figures import service
from services.funds.figures.schemas import FiguresAnswer
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
        "today under its province's rules. Needs the `internal` scope (the gateway's token)."
    ),
)
async def figures(
    session: SessionDep,
    _service: Service,
    area: Annotated[AreaCode, Query()],
    level: Annotated[Literal["province", "city", "county"], Query()],
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> FiguresAnswer:
    now = business_now()
    return await service.figures_under(session, area, AreaLevel(level), year or now.year, now)
