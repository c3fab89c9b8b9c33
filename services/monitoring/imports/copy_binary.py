"""Staged rows in PostgreSQL's binary COPY format, built in the worker that parsed them.

Encoding here rather than with asyncpg's `copy_records_to_table` keeps the per-row work off the
event loop: the loop only forwards each chunk's bytes to `copy_to_table`.
"""

from __future__ import annotations

import datetime
import struct
from collections.abc import Sequence

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
TRAILER = struct.pack("!h", -1)

_NULL = struct.pack("!i", -1)
_length = struct.Struct("!i").pack
_smallint = struct.Struct("!ih").pack
_date = struct.Struct("!ii").pack
_UUID_LENGTH = _length(16)
_BOOLEANS = (_length(1) + b"\x00", _length(1) + b"\x01")
_POSTGRES_EPOCH = datetime.date(2000, 1, 1).toordinal()


def text(value: str | None) -> bytes:
    if value is None:
        return _NULL
    encoded = value.encode("utf-8")
    return _length(len(encoded)) + encoded


def binary(value: bytes) -> bytes:
    return _length(len(value)) + value


class RowEncoder:
    """Encodes staged member rows; codes and village codes repeat, so their bytes are cached."""

    FIELD_COUNT = struct.pack("!h", 21)

    def __init__(self) -> None:
        self._repeated: dict[str | None, bytes] = {None: _NULL}

    def _repeat(self, value: str | None) -> bytes:
        encoded = self._repeated.get(value)
        if encoded is None:
            encoded = self._repeated[value] = text(value)
        return encoded

    def row(
        self,
        out: bytearray,
        household_number: str,
        member_id: bytes,
        area_code: str,
        cipher: bytes,
        index: bytes,
        masked: str,
        kind: str,
        name: str,
        sex: str,
        birth_date: datetime.date,
        relationship: str,
        member_codes: Sequence[str | None],
        work_place: str | None,
        work_months: int | None,
        flags: Sequence[bool],
    ) -> None:
        """Append one row, in the column order of `rows.STAGED_COLUMNS`."""
        repeat = self._repeat
        out += self.FIELD_COUNT
        out += text(household_number)
        out += _UUID_LENGTH
        out += member_id
        out += repeat(area_code)
        out += binary(cipher)
        out += binary(index)
        out += text(masked)
        out += repeat(kind)
        out += text(name)
        out += repeat(sex)
        out += _date(4, birth_date.toordinal() - _POSTGRES_EPOCH)
        out += repeat(relationship)
        for code in member_codes:
            out += repeat(code)
        out += text(work_place)
        out += _NULL if work_months is None else _smallint(2, work_months)
        for flag in flags:
            out += _BOOLEANS[flag]
