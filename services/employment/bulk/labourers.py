"""A spell load's labourers, each found once: a labourer has several spells in a file (a
county's file holds about three a labourer), so their ID number is blind-indexed once and their
row found and locked once per load, not once per spell and batch.

The rows stay locked until the load's transaction ends, so a labourer remembered from an earlier
batch cannot have moved or gone. A labourer not found is looked up again in later batches, as
before this cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, Uuid, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.personal_data import Protector, normalize_person_number
from services.employment.bulk.fields import RowError

# Entries kept before a cache starts afresh, which bounds its memory for the largest files.
REMEMBERED = 200_000
# A batch's labourers in the caller's area, by id or by ID number, locked in id order before
# their spells are written (the foreign-key checks then take no stronger lock). The arrays are
# joined rather than compared with `= ANY(...)`: a cached generic plan would compare each row
# with every element of a 20,000-element array.
LABOURERS_BY_ID = text(
    """
SELECT l.id, l.person_number_index, l.area_code
FROM unnest(:ids) AS wanted(id) JOIN labourers AS l ON l.id = wanted.id
WHERE l.area_code BETWEEN :low AND :high
ORDER BY l.id
FOR UPDATE OF l
"""
).bindparams(bindparam("ids", type_=ARRAY(Uuid())))
LABOURERS_BY_NUMBER = text(
    """
SELECT l.id, l.person_number_index, l.area_code
FROM unnest(:indexes) AS wanted(person_number_index)
JOIN labourers AS l ON l.person_number_index = wanted.person_number_index
WHERE l.area_code BETWEEN :low AND :high
ORDER BY l.id
FOR UPDATE OF l
"""
).bindparams(bindparam("indexes", type_=ARRAY(BYTEA())))

LabourerKey = uuid.UUID | bytes


class PersonIndexes:
    """The blind index of each ID number met in the load (its HMAC is the dearest part of
    checking a spell row)."""

    def __init__(self, protector: Protector) -> None:
        self.protector = protector
        self.known: dict[str, bytes] = {}

    def index(self, number: str) -> bytes:
        """The index of `number`, or `RowError` when it is not a full ID number."""
        index = self.known.get(number)
        if index is None:
            normalized = normalize_person_number(number)
            if len(normalized) < 18:
                raise RowError("person_number", "format", "person_number is a full ID number.")
            if len(self.known) >= REMEMBERED:
                self.known.clear()
            index = self.known[number] = self.protector.person_number_index(normalized)
        return index


class LockedLabourers:
    """The labourers found (and locked) so far in the load, by id and by ID number index:
    each a pair (labourer id, area code)."""

    def __init__(self, session: AsyncSession, scope: dict[str, str]) -> None:
        self.session = session
        self.scope = scope
        self.found: dict[LabourerKey, tuple[uuid.UUID, str]] = {}

    async def find(self, ids: Iterable[uuid.UUID], indexes: Iterable[bytes]) -> None:
        """Find and lock those of these labourers not found before."""
        if len(self.found) >= 2 * REMEMBERED:
            self.found.clear()
        new_ids = [key for key in set(ids) if key not in self.found]
        new_indexes = [key for key in set(indexes) if key not in self.found]
        results: list[Row[Any]] = []
        if new_ids:
            by_id = {"ids": new_ids, **self.scope}
            results += (await self.session.execute(LABOURERS_BY_ID, by_id)).all()
        if new_indexes:
            by_number = {"indexes": new_indexes, **self.scope}
            results += (await self.session.execute(LABOURERS_BY_NUMBER, by_number)).all()
        for row in results:
            self.found[row.id] = self.found[row.person_number_index] = (row.id, row.area_code)

    def get(self, key: LabourerKey | None) -> tuple[uuid.UUID, str] | None:
        return None if key is None else self.found.get(key)
