"""One area's fund figures month by month (按月统计): the stored figures at each month's end
from their dated deltas, with the progress, industry share and (for a county) the card held on
that day under the province's rules of that year."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel, level_of
from services.common.dated_figures import Month, month_end_values
from services.common.errors import InvalidInput
from services.funds.figures import repository
from services.funds.figures.schemas import MonthFigures
from services.funds.figures.service import judged, shown
from services.funds.places import province_of
from services.funds.rules.lookup import rule_sets_for


async def series_of(session: AsyncSession, area: str, months: list[Month]) -> list[MonthFigures]:
    level = level_of(area)
    if AREA_LEVEL_DEPTH[level] > AREA_LEVEL_DEPTH[AreaLevel.COUNTY]:
        raise InvalidInput.for_field(
            "query.area", "county_or_above", "Fund figures are kept per county and above."
        )
    years = sorted({month.as_of.year for month in months})
    deltas = await repository.monthly_deltas(session, area, years, months[-1].as_of)
    rules = {}
    if level == AreaLevel.COUNTY:
        for year in years:
            rules[year] = (await rule_sets_for(session, [area], year)).get(province_of(area))
    return [
        MonthFigures(
            month=month.label,
            as_of=month.as_of,
            figures=shown(values),
            standing=judged(values, rules.get(month.as_of.year), month.as_of),
        )
        for month, values in zip(months, month_end_values(deltas, months), strict=True)
    ]
