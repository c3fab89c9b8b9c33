"""Figures as of a date and by month (按日、按月统计): the rules every service's
`/internal/figures` shares.

Each service keeps per-day deltas of its stored figures (migrations/figure_days_v1.py); the
value of a figure as of a day is the sum of its deltas up to that day, and a monthly series is
the running sum at each month's end (today for the current month).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from services.common.business_time import business_today
from services.common.errors import InvalidInput

MAX_MONTHS = 36
MONTH_PATTERN = r"^2[01][0-9]{2}-(0[1-9]|1[0-2])$"  # 2000-01 to 2199-12, like `year`
ALL_YEARS = 0


def as_of_day(as_of: date | None) -> date:
    """The day figures are asked for: today by default, never in the future."""
    today = business_today()
    if as_of is None:
        return today
    if as_of > today:
        raise InvalidInput.for_field(
            "query.as_of", "not_in_future", f"as_of must be today ({today}) or earlier."
        )
    return as_of


@dataclass(frozen=True)
class Month:
    first: date
    as_of: date  # the month's last day, or today for the current month

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m}"


def months_between(start: str, end: str) -> list[Month]:
    """The months from `start` to `end` (YYYY-MM, both included): in order, at most
    `MAX_MONTHS`, none after the current month."""
    first, last = _month(start), _month(end)
    today = business_today()
    if last < first:
        raise InvalidInput.for_field("query.to", "not_before_from", "to must not precede from.")
    if last > today.replace(day=1):
        raise InvalidInput.for_field(
            "query.to", "not_in_future", f"to must be {today:%Y-%m} or earlier."
        )
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count > MAX_MONTHS:
        raise InvalidInput.for_field(
            "query.from", "at_most_36_months", f"A series spans at most {MAX_MONTHS} months."
        )
    months = []
    month = first
    for _ in range(count):
        following = (month + timedelta(days=32)).replace(day=1)
        months.append(Month(month, min(following - timedelta(days=1), today)))
        month = following
    return months


def _month(text: str) -> date:
    return date(int(text[:4]), int(text[5:7]), 1)


MonthlyDelta = tuple[int, date, str, Decimal]  # (year or ALL_YEARS, first of month, metric, sum)


def month_end_values(
    deltas: Iterable[MonthlyDelta], months: list[Month]
) -> list[dict[str, Decimal]]:
    """The stored figures at each month's end, from their deltas summed by (year, month,
    metric): all-time figures plus the figures of the month's own year."""
    ordered = sorted(deltas, key=lambda delta: delta[1])
    running: dict[tuple[int, str], Decimal] = {}
    values = []
    position = 0
    for month in months:
        while position < len(ordered) and ordered[position][1] <= month.first:
            year, _, metric, delta = ordered[position]
            running[(year, metric)] = running.get((year, metric), Decimal(0)) + delta
            position += 1
        figures: dict[str, Decimal] = {}
        for (year, metric), value in running.items():
            if year in (ALL_YEARS, month.as_of.year):
                figures[metric] = figures.get(metric, Decimal(0)) + value
        values.append(figures)
    return values
