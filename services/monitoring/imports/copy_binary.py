"""Staged rows in PostgreSQL's binary COPY format, built in the worker that parsed them.

Encoding here rather than with asyncpg's `copy_records_to_table` keeps the per-row work off the
event loop: the loop only forwards each chunk's bytes to `copy_to_table`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from services.common.copy_binary import (
    HEADER,
    NULL,
    TRAILER,
    binary,
    boolean,
    date,
    field_count,
    smallint,
    text,
    uuid,
)

__all__ = ["HEADER", "TRAILER", "RowEncoder"]


class RowEncoder:
    """Encodes staged member rows; codes and village codes repeat, so their bytes are cached."""

    FIELD_COUNT = field_count(21)

    def __init__(self) -> None:
        self._repeated: dict[str | None, bytes] = {None: NULL}

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
        out += uuid(member_id)
        out += repeat(area_code)
        out += binary(cipher)
        out += binary(index)
        out += text(masked)
        out += repeat(kind)
        out += text(name)
        out += repeat(sex)
        out += date(birth_date)
        out += repeat(relationship)
        for code in member_codes:
            out += repeat(code)
        out += text(work_place)
        out += smallint(work_months)
        for flag in flags:
            out += boolean(flag)
