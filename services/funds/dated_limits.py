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

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict
from services.funds.allocations import repository as allocations
from services.funds.links import repository as links

_HINT = "the money it needs was freed by an entry dated later; date it on or after that entry"


async def check_allocation_by_day(
    session: AsyncSession, allocation_id: uuid.UUID, since: date
) -> None:
    """Refuse when, from `since` on, some day would end with more linked than allocated."""
    overdrawn = await allocations.first_overdrawn_day(session, allocation_id, since)
    if overdrawn is not None:
        day, left = overdrawn
        raise Conflict(
            f"As of {day} more would be linked than allocated ({-left:.2f} short): {_HINT}.",
            code="allocation_overdrawn_on_day",
            extra={"day": day.isoformat(), "shortfall": f"{-left:.2f}"},
        )


async def check_link_by_day(session: AsyncSession, link_id: uuid.UUID, since: date) -> None:
    """Refuse when, from `since` on, some day would end with more paid than linked."""
    overdrawn = await links.first_overdrawn_day(session, link_id, since)
    if overdrawn is not None:
        day, left = overdrawn
        raise Conflict(
            f"As of {day} more would be paid than linked ({-left:.2f} short): {_HINT}.",
            code="link_overdrawn_on_day",
            extra={"day": day.isoformat(), "shortfall": f"{-left:.2f}"},
        )
