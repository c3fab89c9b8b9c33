"""The limits as of every day, not only today (按日额度).

Linking never exceeds what is left of the allocation and paying never exceeds what is left of
the link: the conditional UPDATEs hold that for the running totals, which are today's. But each
entry carries its own date, and the progress report for a past day sums the entries up to that
day. Money freed by a link reduction (调减) or a refund (退款) is free only from its own date on,
so an entry dated before such a freeing must not rely on it, or a past day's report would show
more linked than allocated, or more paid than linked. After the running total took the amount
(holding the allocation's or the link's row, so nothing else changes their entries meanwhile),
these checks walk the days from the entry's date on and refuse the first that would go below
zero; the whole write is then rolled back.

Only entries that can rely on later money are checked: a link or an allocation's reversal
(against the allocation's link reductions), a link reduction and a payment dated before the
link's latest refund (against the refunds)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict
from services.funds.dated_limits import repository

_HINT = "the money it needs was freed by an entry dated later; date it on or after that entry"


async def check_allocation_by_day(
    session: AsyncSession, allocation_id: uuid.UUID, since: date
) -> None:
    """Refuse when, from `since` on, some day would end with more linked than allocated."""
    overdrawn = await repository.allocation_overdrawn(session, allocation_id, since)
    _refuse_if(overdrawn, "allocation_overdrawn_on_day", "more would be linked than allocated")


async def check_link_by_day(session: AsyncSession, link_id: uuid.UUID, since: date) -> None:
    """Refuse when, from `since` on, some day would end with more paid than linked."""
    overdrawn = await repository.link_overdrawn(session, link_id, since)
    _refuse_if(overdrawn, "link_overdrawn_on_day", "more would be paid than linked")


def _refuse_if(overdrawn: tuple[date, Decimal] | None, code: str, what: str) -> None:
    if overdrawn is not None:
        day, left = overdrawn
        raise Conflict(
            f"As of {day} {what} ({-left:.2f} short): {_HINT}.",
            code=code,
            extra={"day": day.isoformat(), "shortfall": f"{-left:.2f}"},
        )
