"""Keeping per-area figures exact in the same transaction as each write.

A write that changes figures calls `bump` once with all its signed deltas; rows are upserted in
(area, year, metric) order, so two writers never lock figure rows crosswise. Higher levels are
sums over code ranges at read time. Figures that depend on today's date (overdue loans, current
workers of workshops and posts) are counted at read time instead (figures/repository.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Numeric, SmallInteger, String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

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

# One constant statement (prepared once per connection), the rows as arrays, upserted in the
# order given (sorted by `bump`, so the row locks are always taken in the same order).
_BUMP = text(
    """
INSERT INTO area_figures AS f (area_code, year, metric, value)
SELECT a, y, m, v FROM unnest(:areas, :years, :metrics, :deltas) WITH ORDINALITY AS d(a, y, m, v, n)
ORDER BY n
ON CONFLICT (area_code, year, metric) DO UPDATE SET value = f.value + excluded.value
"""
).bindparams(
    bindparam("areas", type_=ARRAY(String())),
    bindparam("years", type_=ARRAY(SmallInteger())),
    bindparam("metrics", type_=ARRAY(String())),
    bindparam("deltas", type_=ARRAY(Numeric(20, 2))),
)


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
    rows = [(key, value) for key, value in sorted(totals.items()) if value]
    if not rows:
        return
    await session.execute(
        _BUMP,
        {
            "areas": [area for (area, _, _), _ in rows],
            "years": [year for (_, year, _), _ in rows],
            "metrics": [metric for (_, _, metric), _ in rows],
            "deltas": [value for _, value in rows],
        },
    )
