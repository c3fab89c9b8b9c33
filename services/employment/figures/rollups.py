"""Keeping per-area figures exact in the same transaction as each write.

A write that changes figures calls `bump` once with all its signed deltas; rows are upserted in
(area, year, metric) order, so two writers never lock figure rows crosswise. Higher levels are
sums over code ranges at read time. Figures that depend on today's date (overdue loans, current
workers of workshops and posts) are counted at read time instead (figures/repository.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.employment.models import AreaFigure

ALL_YEARS = 0

# Counts (all years).
LABOURERS = "labourers"
POSTS = "public_welfare_posts"
POST_POSITIONS = "public_welfare_post_positions"
WORKSHOPS = "assistance_workshops"
HOUSEHOLDS_LOAN_OUTSTANDING = "households_loan_outstanding"
# Amounts in yuan (all years).
LOAN_BALANCE = "loan_balance"
# Per year.
EMPLOYED = "employed"  # and `employed:<place class>`
EMPLOYMENT_TARGET = "employment_target"
SUBSIDIES = "subsidies"  # `subsidies:<kind>`
SUBSIDY_AMOUNT = "subsidy_amount"  # `subsidy_amount:<kind>`
LOANS_NEW = "loans_new"
HOUSEHOLDS_NEW_LOAN = "households_new_loan"
AMOUNT_LENT = "amount_lent"
LOANS_RENEWED = "loans_renewed"
AMOUNT_RENEWED = "amount_renewed"
LOANS_WRITTEN_OFF = "loans_written_off"
AMOUNT_WRITTEN_OFF = "amount_written_off"
# Counted at read time.
OVERDUE_AMOUNT = "overdue_amount"
LOANS_OVERDUE = "loans_overdue"
WORKSHOPS_QUALIFYING = "assistance_workshops_qualifying"
WORKSHOP_WORKERS = "assistance_workshop_workers"
WORKSHOP_EXITED_POVERTY_WORKERS = "assistance_workshop_exited_poverty_workers"
POST_HOLDERS = "public_welfare_post_holders"

AMOUNTS = frozenset(
    {
        LOAN_BALANCE,
        AMOUNT_LENT,
        AMOUNT_RENEWED,
        AMOUNT_WRITTEN_OFF,
        OVERDUE_AMOUNT,
        f"{SUBSIDY_AMOUNT}:transport",
        f"{SUBSIDY_AMOUNT}:study",
    }
)

Delta = tuple[str, int, str, Decimal | int]


def by(metric: str, detail: str) -> str:
    """The detailed variant of a metric, e.g. `employed:out_of_province`."""
    return f"{metric}:{detail}"


async def bump(session: AsyncSession, deltas: Iterable[Delta]) -> None:
    """Add each `(area_code, year, metric, delta)` to the stored figures, in one statement in
    the caller's transaction."""
    totals: dict[tuple[str, int, str], Decimal] = {}
    for area_code, year, metric, delta in deltas:
        key = (area_code, year, metric)
        totals[key] = totals.get(key, Decimal(0)) + Decimal(delta)
    rows = [
        {"area_code": area, "year": year, "metric": metric, "value": value}
        for (area, year, metric), value in sorted(totals.items())
        if value
    ]
    if not rows:
        return
    statement = insert(AreaFigure).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["area_code", "year", "metric"],
        set_={"value": AreaFigure.value + statement.excluded.value},
    )
    await session.execute(statement)
