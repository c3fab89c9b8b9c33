"""The spending progress report (支出进度报表) of the counties under an area, as of a date."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel, level_of
from services.common.auth.principal import Principal
from services.common.errors import InvalidInput, NotFound
from services.funds.places import check_not_future, province_of
from services.funds.reports import repository
from services.funds.reports.schemas import ProgressReport, ProgressRow
from services.funds.rules.cards import RuleSet, standing
from services.funds.rules.lookup import rule_sets_for
from services.funds.rules.schemas import StandingRead
from services.funds.vocabulary import FundLevel

ZERO = Decimal(0)
AMOUNTS = (
    "allocated",
    *(f"allocated_{level.value}" for level in FundLevel),
    "linked",
    "linked_industry",
    "paid",
)


async def progress_report(
    session: AsyncSession,
    principal: Principal,
    *,
    area: str,
    year: int,
    day: date,
    now: datetime,
) -> ProgressReport:
    if not principal.covers(area):  # as an export or the indicators of an area beyond yours
        raise NotFound(f"No area {area} in your jurisdiction.")
    if AREA_LEVEL_DEPTH[level_of(area)] > AREA_LEVEL_DEPTH[AreaLevel.COUNTY]:
        raise InvalidInput.for_field(
            "query.area", "level_not_available", "The report covers a county or a larger area."
        )
    check_not_future(day, "query.date")
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(AMOUNTS, ZERO))
    for county, level, amount in await repository.allocated(session, principal, area, year, day):
        sums[county]["allocated"] += amount
        sums[county][f"allocated_{level}"] += amount
    for county, industry, amount in await repository.linked(session, principal, area, year, day):
        sums[county]["linked"] += amount
        if industry:
            sums[county]["linked_industry"] += amount
    for county, amount in await repository.paid(session, principal, area, year, day):
        sums[county]["paid"] += amount
    rules = await rule_sets_for(session, sums, year)
    rows = [
        _row(county, values, rules.get(province_of(county)), day)
        for county, values in sorted(sums.items())
    ]
    total = {name: sum((values[name] for values in sums.values()), ZERO) for name in AMOUNTS}
    # The total row shows the sums' progress and share; a card is a county's alone.
    one_province = {province_of(county) for county in sums} | {province_of(area)}
    total_rules = rules.get(province_of(area)) if len(one_province) == 1 else None
    total_row = _row(None, total, total_rules, day)
    total_row.standing.card = None
    return ProgressReport(
        title=f"{year}年度衔接资金支出进度报表",
        area=area,
        year=year,
        as_of=day,
        generated_at=now,
        rows=rows,
        total=total_row,
    )


def _row(
    county: str | None, values: dict[str, Decimal], rules: RuleSet | None, day: date
) -> ProgressRow:
    current = standing(
        allocated=values["allocated"],
        linked=values["linked"],
        industry_linked=values["linked_industry"],
        paid=values["paid"],
        rules=rules,
        day=day,
    )
    return ProgressRow(county_code=county, **values, standing=StandingRead.of(current))
