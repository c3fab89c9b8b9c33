"""Rows of `households`, `members` and `changes` in PostgreSQL's binary COPY format, built in the
worker that checked them, so the import COPYs straight into the real tables: the event loop only
picks which rows of each chunk to send and forwards their bytes.

Every member row starts with its household's id at a fixed place (`HOUSEHOLD_ID`), so the loop
can give the rows of a household spread over chunks the id of its first chunk by rewriting 16
bytes. Values that repeat over a county's rows (codes, village codes, dates) are encoded once.
"""

from __future__ import annotations

import datetime
import struct

from services.common.copy_binary import HEADER, NULL, TRAILER, binary, date, field_count, text
from services.monitoring.households.circumstances import MEMBER_CIRCUMSTANCES

__all__ = [
    "CHANGE_COLUMNS",
    "HEADER",
    "HOUSEHOLD_COLUMNS",
    "HOUSEHOLD_ID",
    "MEMBER_COLUMNS",
    "TRAILER",
    "household_change",
    "household_row",
    "member_change",
    "uuid_text",
]

MEMBER_COLUMNS = (
    "household_id",
    "id",
    "area_code",
    "person_number_cipher",
    "person_number_index",
    "person_number_masked",
    "person_number_kind",
    "name",
    "sex",
    "birth_date",
    "relationship",
    *MEMBER_CIRCUMSTANCES,
    "active",
    "version",
)
HOUSEHOLD_COLUMNS = (
    "id",
    "household_number",
    "area_code",
    "kind",
    "head_name",
    "address",
    "phone_cipher",
    "phone_index",
    "phone_masked",
    "member_count",
    "monitoring_status",
    "version",
)
CHANGE_COLUMNS = ("entity", "entity_id", "operation", "area_code", "version")

_length = struct.Struct("!i").pack
_LENGTH_16 = _length(16)
# A member row: its field count, then the household id's length word and 16 bytes.
MEMBER_START = field_count(len(MEMBER_COLUMNS)) + _LENGTH_16
HOUSEHOLD_ID = slice(len(MEMBER_START), len(MEMBER_START) + 16)
MEMBER_ID = _LENGTH_16
INDEX_LENGTH = _length(32)
MASKED_LENGTH = _length(18)
# active = true, version = 1
MEMBER_END = _length(1) + b"\x01" + _length(4) + struct.pack("!i", 1)

_HOUSEHOLD_START = field_count(len(HOUSEHOLD_COLUMNS)) + _LENGTH_16
_NOT_MONITORED_VERSION_1 = text("none") + _length(4) + struct.pack("!i", 1)
_CHANGE_START = field_count(len(CHANGE_COLUMNS))
_UUID_TEXT_LENGTH = _length(36)
_CREATE = text("create")
_VERSION_1 = _length(4) + struct.pack("!i", 1)
_MEMBER_CHANGE = _CHANGE_START + text("member") + _UUID_TEXT_LENGTH
_HOUSEHOLD_CHANGE = _CHANGE_START + text("household") + _UUID_TEXT_LENGTH


def uuid_text(value: bytes) -> bytes:
    """The 36 ASCII bytes of a uuid's text form (as `uuid::text` gives it)."""
    h = value.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}".encode("ascii")


def member_change(member_id: bytes, area: bytes) -> bytes:
    """The change-feed row of a created member, by the id's text form (`uuid_text`);
    `area` is the encoded area code."""
    return b"".join((_MEMBER_CHANGE, member_id, _CREATE, area, _VERSION_1))


def household_change(household_id: bytes, area: bytes) -> bytes:
    """The change-feed row of a created household, by the id's text form."""
    return b"".join((_HOUSEHOLD_CHANGE, household_id, _CREATE, area, _VERSION_1))


def household_row(
    household_id: bytes,
    number: str,
    area: bytes,
    kind: bytes,
    head_name: str | None,
    address: str | None,
    phone: tuple[bytes, bytes, str] | None,
    member_count: int,
) -> bytes:
    """A created household: not monitored, version 1; `area` and `kind` are encoded. Without a
    head name (no head's row in the chunk) the row is only kept for `with_head`."""
    cipher, index, masked = phone if phone is not None else (None, None, None)
    return b"".join(
        (
            _HOUSEHOLD_START,
            household_id,
            text(number),
            area,
            kind,
            text(head_name),
            text(address),
            NULL if cipher is None else binary(cipher),
            NULL if index is None else binary(index),
            text(masked),
            _length(4),
            struct.pack("!i", member_count),
            _NOT_MONITORED_VERSION_1,
        )
    )


def with_head(row: bytes, head_name: str, member_count: int) -> bytes:
    """A household row made by `household_row` with another head name and member count."""
    at = len(_HOUSEHOLD_START) + 16
    for _ in range(3):  # household_number, area_code, kind
        at += 4 + _read_length(row, at)
    length = _read_length(row, at)
    after_head = at + 4 + max(length, 0)
    end = len(row) - len(_NOT_MONITORED_VERSION_1) - 8
    return b"".join(
        (
            row[:at],
            text(head_name),
            row[after_head:end],
            _length(4),
            struct.pack("!i", member_count),
            _NOT_MONITORED_VERSION_1,
        )
    )


def _read_length(row: bytes, at: int) -> int:
    length: int = struct.unpack_from("!i", row, at)[0]
    return length


def birth_date(value: datetime.date) -> bytes:
    return date(value)


def payload(rows: bytes | bytearray) -> bytes:
    """A whole COPY payload around encoded rows."""
    return b"".join((HEADER, rows, TRAILER))
