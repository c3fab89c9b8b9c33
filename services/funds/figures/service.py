"""Figures by area for the gateway: stored sums (current, as of a day, or at each month's end),
and the ratios and cards derived from them at read time (the cards depend on the day, so they
are never stored; as of a past day they are judged on that day)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel, level_of
from services.common.errors import InvalidInput
from services.funds.figures import repository, rollups
from services.funds.figures.schemas import AreaFigures, FiguresAnswer
from services.funds.places import province_of
from services.funds.rules.cards import RuleSet, standing
from services.funds.rules.lookup import rule_sets_for
from services.funds.rules.schemas import StandingRead
from services.funds.vocabulary import ProjectCategory

ZERO = Decimal(0)


async def figures_under(
    session: AsyncSession,
    area: str,
    level: AreaLevel,
    year: int,
    now: datetime,
    as_of: date | None = None,
) -> FiguresAnswer:
    """The figures of the areas at `level` under `area`: current, or as of the end of the past
    day `as_of`."""
    depth = AREA_LEVEL_DEPTH[level]
    if depth <= AREA_LEVEL_DEPTH[level_of(area)]:
        raise InvalidInput.for_field(
            "query.level", "level_not_below_area", "The level must be below the area's."
        )
    totals: dict[str, dict[str, Decimal]] = {}
    stored = await repository.stored_figures(session, area, depth, year, as_of)
    for code, metric, value in stored:
        totals.setdefault(code, {})[metric] = value
    # The day cards are judged on: the day asked for, or the last day of a past year.
    day = min(as_of or now.date(), date(year, 12, 31))
    counties = level == AreaLevel.COUNTY
    rules = await rule_sets_for(session, totals, year) if counties else {}
    rows = [
        AreaFigures(
            area_code=code,
            figures=shown(values),
            standing=judged(values, rules.get(province_of(code)), day),
        )
        for code, values in sorted(totals.items())
    ]
    return FiguresAnswer(
        area=area, level=level.value, year=year, as_of=now, day=as_of or now.date(), rows=rows
    )


def judged(values: dict[str, Decimal], rules: RuleSet | None, day: date) -> StandingRead:
    """The card (亮牌) these figures hold on `day` under the province's rules."""
    return StandingRead.of(
        standing(
            allocated=values.get(rollups.ALLOCATED, ZERO),
            linked=values.get(rollups.LINKED, ZERO),
            industry_linked=values.get(
                rollups.by_kind(rollups.LINKED, ProjectCategory.INDUSTRY), ZERO
            ),
            paid=values.get(rollups.PAID, ZERO),
            rules=rules,
            day=day,
        )
    )


def shown(values: dict[str, Decimal]) -> dict[str, int | str]:
    """Every metric an answer shows, zero or not."""
    return {metric: _shown(metric, values.get(metric, ZERO)) for metric in rollups.METRICS}


def _shown(metric: str, value: Decimal) -> int | str:
    return f"{value:.2f}" if rollups.is_money(metric) else int(value)
