"""The report's sums, as of a date, straight from the entries (each carries its own date, so
the report for any past day is exact): allocations, links and payments of one fund year under
an area, grouped by county. Scoped by the caller's area as well as the report's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import scope_bounds
from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.funds.models import Allocation, FundLink, Payment
from services.funds.vocabulary import EntryKind, ProjectCategory


def _signed(model: Any) -> Any:
    """The row's effect: negative for reversals and refunds."""
    return func.sum(
        case((model.kind == EntryKind.REVERSAL.value, -model.amount), else_=model.amount)
    )


async def allocated(
    session: AsyncSession, principal: Principal, area: str, year: int, day: date
) -> list[tuple[str, str, Decimal]]:
    """(county, level, net allocated)."""
    query = (
        select(Allocation.area_code, Allocation.level, _signed(Allocation))
        .where(
            Allocation.area_code.between(*scope_bounds(area)),
            in_scope(Allocation.area_code, principal),
            Allocation.year == year,
            Allocation.issued_on <= day,
        )
        .group_by(Allocation.area_code, Allocation.level)
    )
    return [(code, level, Decimal(v)) for code, level, v in (await session.execute(query)).all()]


async def linked(
    session: AsyncSession, principal: Principal, area: str, year: int, day: date
) -> list[tuple[str, bool, Decimal]]:
    """(county, to industry projects?, net linked)."""
    industry = (FundLink.category == ProjectCategory.INDUSTRY.value).label("industry")
    query = (
        select(FundLink.county_code, industry, _signed(FundLink))
        .where(
            FundLink.county_code.between(*scope_bounds(area)),
            in_scope(FundLink.area_code, principal),
            FundLink.year == year,
            FundLink.linked_on <= day,
        )
        .group_by(FundLink.county_code, industry)
    )
    return [
        (code, bool(flag), Decimal(v)) for code, flag, v in (await session.execute(query)).all()
    ]


async def paid(
    session: AsyncSession, principal: Principal, area: str, year: int, day: date
) -> list[tuple[str, Decimal]]:
    """(county, net paid)."""
    query = (
        select(Payment.county_code, _signed(Payment))
        .where(
            Payment.county_code.between(*scope_bounds(area)),
            in_scope(Payment.county_code, principal),
            Payment.year == year,
            Payment.paid_on <= day,
        )
        .group_by(Payment.county_code)
    )
    return [(code, Decimal(v)) for code, v in (await session.execute(query)).all()]
