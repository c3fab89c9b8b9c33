"""The balance left, day by day, of an allocation (to link) or of a link (to pay), from the
entries' own dates: the first day it would end below zero."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.vocabulary import EntryKind

_REVERSAL = EntryKind.REVERSAL.value
# (day, delta) of what is left: an entry of the record itself adds (its reversals take back),
# an entry drawing on it takes (its reversals give back).
_ALLOCATION_ENTRIES = f"""
    SELECT issued_on AS day, CASE kind WHEN '{_REVERSAL}' THEN -amount ELSE amount END AS delta
    FROM allocations WHERE id = :id OR reverses_id = :id
    UNION ALL
    SELECT linked_on, CASE kind WHEN '{_REVERSAL}' THEN amount ELSE -amount END
    FROM fund_links WHERE allocation_id = :id
"""
_LINK_ENTRIES = f"""
    SELECT linked_on AS day, CASE kind WHEN '{_REVERSAL}' THEN -amount ELSE amount END AS delta
    FROM fund_links WHERE id = :id OR reverses_id = :id
    UNION ALL
    SELECT paid_on, CASE kind WHEN '{_REVERSAL}' THEN amount ELSE -amount END
    FROM payments WHERE link_id = :id
"""


def _first_below_zero(entries: str) -> str:
    """What is left at the end of each day the entries changed it, from `:since` on: the first
    day below zero, with what is left then."""
    return f"""
WITH entries AS ({entries}), left_over AS (
    SELECT day, sum(sum(delta)) OVER (ORDER BY day) AS balance FROM entries GROUP BY day
)
SELECT day, balance FROM left_over WHERE day >= :since AND balance < 0 ORDER BY day LIMIT 1
"""


_ALLOCATION_OVERDRAWN = text(_first_below_zero(_ALLOCATION_ENTRIES))
_LINK_OVERDRAWN = text(_first_below_zero(_LINK_ENTRIES))


async def allocation_overdrawn(
    session: AsyncSession, allocation_id: uuid.UUID, since: date
) -> tuple[date, Decimal] | None:
    """The first day from `since` on whose end leaves more linked than allocated, with the
    (negative) balance then."""
    return await _first(session, _ALLOCATION_OVERDRAWN, allocation_id, since)


async def link_overdrawn(
    session: AsyncSession, link_id: uuid.UUID, since: date
) -> tuple[date, Decimal] | None:
    """The first day from `since` on whose end leaves more paid than linked, with the
    (negative) balance then."""
    return await _first(session, _LINK_OVERDRAWN, link_id, since)


async def _first(
    session: AsyncSession, statement: TextClause, record_id: uuid.UUID, since: date
) -> tuple[date, Decimal] | None:
    row = (await session.execute(statement, {"id": record_id, "since": since})).first()
    return None if row is None else (row.day, Decimal(row.balance))
