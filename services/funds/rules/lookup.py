"""The rules that apply to counties in a year: their provinces' rules, looked up at once."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.places import province_of
from services.funds.rules.cards import RuleSet
from services.funds.rules.repository import rules_for
from services.funds.rules.schemas import rule_set


async def rule_sets_for(
    session: AsyncSession, county_codes: Iterable[str], year: int
) -> dict[str, RuleSet]:
    """Rule set by province code, for the provinces of these counties that have rules."""
    provinces = {province_of(code) for code in county_codes}
    rows = await rules_for(session, ((province, year) for province in provinces))
    return {province: rule_set(row) for (province, _), row in rows.items()}
