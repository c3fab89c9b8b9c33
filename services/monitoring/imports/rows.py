"""Turning one chunk of an upload into rows for the real tables: parse, validate, encrypt, encode
for COPY.

This is the CPU-heavy half of an import and runs in a worker (a process, or a thread for small
uploads), so it depends only on the personal-data and area kits: no web framework, no database.
A chunk always ends at a record boundary (`records` reads them); rows are numbered within the
chunk and the caller adds the offset. Rules that need other chunks (duplicates, households
spread over chunks) or the database are decided by the caller (the ledger).

Each row is first tried on a fast path that only looks up values already checked (a county's
rows repeat their codes, villages and household fields) and encodes with bytes kept from
earlier rows; any value not seen before sends the row through every check in field order
(`_checked_row`), which names the first problem exactly as the rules say and then remembers
the values it accepted.
"""

from __future__ import annotations

import datetime
from typing import Any

from stdnum.cn import ric

from services.common.personal_data import InvalidPhone, normalize_phone
from services.monitoring.imports import encoding, records
from services.monitoring.imports import fields as check
from services.monitoring.imports.checked_rows import (
    CACHE_LIMIT,
    HOUSEHOLD,
    KINDS,
    NAME,
    PERSON_NUMBER,
    RELATIONSHIP,
    REST,
    SEXES,
    WORK_MONTHS,
    CheckedRows,
)
from services.monitoring.imports.chunk_households import finish_households
from services.monitoring.imports.chunks import Chunk, ChunkResult
from services.monitoring.imports.fields import RowProblem

# The fields' length limits, for the fast path.
_NUMBER_LIMIT = check.LIMITS["household_number"]
_NAME_LIMIT = check.LIMITS["name"]
_ADDRESS_LIMIT = check.LIMITS["address"]
_PLAIN_LAST = frozenset("0123456789X")


class RowParser(CheckedRows):
    """Parses chunks of one import; holds the caches that make a county's rows cheap."""

    def parse(self, chunk: Chunk) -> ChunkResult:
        result = ChunkResult(number=chunk.number)
        self._households.clear()
        self._household_keys.clear()
        self._members, self._changes = bytearray(), bytearray()
        # NUL characters (raw or as JSON escapes) are refused by the full checks only.
        careful = b"\x00" in chunk.data or b"\\u0000" in chunk.data
        for number, values in records.read(chunk.data, self.context, self._pick, result):
            result.received += 1
            try:
                if careful or not self._fast_row(number, values, result):
                    self._checked_row(number, values, result)
            except RowProblem as problem:
                household = check.household_of(values)
                result.rejected.append(
                    (number, household, problem.field, problem.rule, problem.message)
                )
        result.members, result.member_changes = bytes(self._members), bytes(self._changes)
        finish_households(self._households.values(), result)
        return result

    # The fast path ---------------------------------------------------------------------------

    def _fast_row(self, number: int, values: Any, result: ChunkResult) -> bool:
        """Load a row whose values are all of kinds checked before (False, with nothing done,
        if not)."""
        if values.__class__ is not tuple:
            return False
        try:
            known = self._household_keys.get(values[HOUSEHOLD])
            rest = self._rests.get(values[REST])
            relationship = self._relationships.get(values[RELATIONSHIP])
        except TypeError:  # an unhashable JSON value: the checks will say what is wrong
            return False
        if relationship is None:
            return False
        if rest is None and (rest := self._fast_rest(values[REST])) is None:
            return False
        name = values[NAME]
        raw = values[PERSON_NUMBER]
        if name.__class__ is not str or raw.__class__ is not str:
            return False
        name = name.strip()
        if (
            not name
            or len(name) > _NAME_LIMIT
            or len(raw) != 18
            or not raw.isascii()
            or not raw[:17].isdigit()
            or raw[17] not in _PLAIN_LAST
            or ric.calc_check_digit(raw) != raw[17]
            or raw[:6] not in self._regions
        ):
            return False
        born = self._births.get(raw[6:14]) or self._birth(raw[6:14])
        if born is None:
            return False
        try:
            name_bytes = name.encode("utf-8")
        except UnicodeEncodeError:
            return False
        if known is None:
            agreeing = self._fast_household(values[HOUSEHOLD])
            if agreeing is None:
                return False
            known = self._household(agreeing[0], agreeing[1:])
            self._household_keys[values[HOUSEHOLD]] = known
        household, agreeing = known
        sex = SEXES["male" if raw[16] in "13579" else "female"]
        self._emit(
            number, household, agreeing, raw, KINDS["resident_id"], sex, born, name, name_bytes,
            relationship, rest, result,
        )  # fmt: skip
        return True

    def _birth(self, digits: str) -> bytes | None:
        """The encoded birth date of digits 7-14 of an ID number (remembered), None when they
        are not a past date (the full checks then name the rule)."""
        try:
            born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            return None
        if born > self._today:
            return None
        encoded = encoding.birth_date(born)
        if len(self._births) < CACHE_LIMIT:
            self._births[digits] = encoded
        return encoded

    def _fast_household(self, values: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """(number, village, kind, address, phone) of household fields of kinds checked before,
        None when any needs the full checks."""
        number, village, kind, address, phone = values
        try:
            village, kind = self._valid_villages[village], self._kinds[kind]
        except KeyError:
            return None
        if number.__class__ is not str:
            return None
        number = number.strip()
        if not number or len(number) > _NUMBER_LIMIT or not _encodable(number):
            return None
        if address is not None:
            if address.__class__ is not str:
                return None
            address = address.strip() or None
            if address is not None and (len(address) > _ADDRESS_LIMIT or not _encodable(address)):
                return None
        if phone is not None:
            if phone.__class__ is not str:
                return None
            phone = phone.strip() or None
            if phone is not None:
                try:
                    phone = normalize_phone(phone)
                except InvalidPhone:
                    return None
        return number, village, kind, address, phone

    def _fast_rest(self, values: tuple[Any, ...]) -> bytes | None:
        """The encoded education .. extreme_poverty_support, each value one accepted before.
        A whole number of months from JSON is looked up as (int, n): 5.0 and true equal 5 and
        1 as keys, but are not whole numbers of months."""
        parts = []
        for column, (value, accepted) in enumerate(zip(values, self._rest_values, strict=True)):
            if column == WORK_MONTHS and value.__class__ is int:
                value = (int, value)
            try:
                encoded = accepted.get(value)
            except TypeError:
                return None
            if encoded is None:
                return None
            parts.append(encoded)
        parts.append(encoding.MEMBER_END)
        rest = b"".join(parts)
        months = values[WORK_MONTHS]
        if len(self._rests) < CACHE_LIMIT and (months is None or months.__class__ is str):
            self._rests[values] = rest
        return rest


def _encodable(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
