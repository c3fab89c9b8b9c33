"""How long a case's steps may take, and what day it is where the work is done.

The notice and the deadlines are settings (`MonitoringSettings`: provinces set their own); the
fixed rules of national practice live here, in one place, for every rule that needs them.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

MONITORED_MONTHS_BEFORE_ELIMINATION = 6  # monitored at least half a year before elimination
OPENED_DAYS_BACK = 30  # a case may be recorded up to 30 days after the application (受理) date


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def notice_ends_on(started: date | None, notice_days: int) -> date | None:
    """The first day the township may complete its review: the notice has run its days."""
    return started + timedelta(days=notice_days) if started else None
