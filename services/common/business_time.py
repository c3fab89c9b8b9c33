"""Business dates: years, months, deadlines and "today" are counted in Asia/Shanghai.

China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact and needs
no time-zone database in the image. Timestamps stay timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

BUSINESS_TIMEZONE = timezone(timedelta(hours=8), "Asia/Shanghai")


def business_now() -> datetime:
    """The current moment on the Asia/Shanghai clock."""
    return datetime.now(UTC).astimezone(BUSINESS_TIMEZONE)


def business_today() -> date:
    """Today's date where the work happens (Asia/Shanghai)."""
    return business_now().date()
