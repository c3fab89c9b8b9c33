"""Figures by area for the gateway: stored sums, and the ratios and cards derived from them at
read time (the cards depend on the day, so they are never stored)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel, level_of
from services.common.errors import InvalidInput
from services.funds.figures import repository, rollups
from services.funds.figures.schemas import AreaFigures, FiguresAnswer
from services.funds.places import province_of
from services.funds.rules.cards import standing
from services.funds.rules.lookup import rule_sets_for
from services.funds.rules.schemas import StandingRead
from services.funds.vocabulary import ProjectCategory

ZERO = Decimal(0)


async def figures_under(
    session: AsyncSession, area: str, level: AreaLevel, year: int, now: datetime
) -> FiguresAnswer:
    depth = AREA_LEVEL_DEPTH[level]
    if depth <= AREA_LEVEL_DEPTH[level_of(area)]:
        raise InvalidInput.for_field(
            "query.level", "level_not_below_area", "The level must be below the area's."
        )
    totals: dict[str, dict[str, Decimal]] = {}
    for code, metric, value in await repository.stored_figures(session, area, depth, year):
        totals.setdefault(code, {})[metric] = value
    # The day cards are judged on: today, or the last day of a past year.
    day = min(now.date(), date(year, 12, 31))
    counties = level == AreaLevel.COUNTY
    rules = await rule_sets_for(session, totals, year) if counties else {}
    rows = []
    for code, values in sorted(totals.items()):
        current = standing(
            allocated=values.get(rollups.ALLOCATED, ZERO),
            linked=values.get(rollups.LINKED, ZERO),
            industry_linked=values.get(
                rollups.by_kind(rollups.LINKED, ProjectCategory.INDUSTRY), ZERO
            ),
            paid=values.get(rollups.PAID, ZERO),
            rules=rules.get(province_of(code)),
            day=day,
        )
        shown = {metric: _shown(metric, values.get(metric, ZERO)) for metric in rollups.METRICS}
        rows.append(AreaFigures(area_code=code, figures=shown, standing=StandingRead.of(current)))
    return FiguresAnswer(area=area, level=level.value, year=year, as_of=now, rows=rows)


def _shown(metric: str, value: Decimal) -> int | str:
    return f"{value:.2f}" if rollups.is_money(metric) else int(value)
