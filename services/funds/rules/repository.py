"""Queries of the provinces' fund rules (configuration, readable by every caller)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.models import FundRules


async def get_rules(
    session: AsyncSession, province_code: str, year: int, *, for_update: bool = False
) -> FundRules | None:
    return await session.get(FundRules, (province_code, year), with_for_update=for_update)


async def rules_of_province(session: AsyncSession, province_code: str) -> list[FundRules]:
    query = (
        select(FundRules).where(FundRules.province_code == province_code).order_by(FundRules.year)
    )
    return list((await session.scalars(query)).all())


async def rules_for(
    session: AsyncSession, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], FundRules]:
    """The rules of each (province, year) asked for that has any."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    query = select(FundRules).where(tuple_(FundRules.province_code, FundRules.year).in_(wanted))
    return {(row.province_code, row.year): row for row in (await session.scalars(query)).all()}
