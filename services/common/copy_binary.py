"""Values in PostgreSQL's binary COPY format (each a length word and the value's bytes), for
rows encoded away from the event loop, in the worker processes that checked them: the loop then
only forwards the bytes to asyncpg's `copy_to_table`, instead of encoding every row with
`copy_records_to_table`.

A payload is `HEADER`, rows (each `field_count(n)` and n values) and `TRAILER`.
"""

from __future__ import annotations

import datetime
import struct
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from functools import lru_cache

import asyncpg

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
TRAILER = struct.pack("!h", -1)
NULL = struct.pack("!i", -1)

_length = struct.Struct("!i").pack
_smallint = struct.Struct("!ih").pack
_integer = struct.Struct("!ii").pack
_date = struct.Struct("!ii").pack
_numeric_head = struct.Struct("!ihhHh").pack
_UUID_LENGTH = _length(16)
_BOOLEANS = (_length(1) + b"\x00", _length(1) + b"\x01")
_POSTGRES_EPOCH = datetime.date(2000, 1, 1).toordinal()
_NUMERIC_NEGATIVE = 0x4000


def field_count(count: int) -> bytes:
    return struct.pack("!h", count)


def text(value: str | None) -> bytes:
    """text, varchar."""
    if value is None:
        return NULL
    encoded = value.encode("utf-8")
    return _length(len(encoded)) + encoded


def binary(value: bytes) -> bytes:
    """bytea."""
    return _length(len(value)) + value


def uuid(value: bytes) -> bytes:
    """uuid, from its 16 bytes."""
    return _UUID_LENGTH + value


def boolean(value: bool) -> bytes:
    return _BOOLEANS[value]


def smallint(value: int | None) -> bytes:
    return NULL if value is None else _smallint(2, value)


def integer(value: int) -> bytes:
    return _integer(4, value)


def date(value: datetime.date) -> bytes:
    return _date(4, value.toordinal() - _POSTGRES_EPOCH)


def numeric(value: Decimal) -> bytes:
    """numeric: base-10,000 digits around the decimal point, the display scale kept (remembered:
    amounts and rates repeat over a file's rows; by text, as 0 and 0.00 are equal Decimals).
    Finite values only."""
    return _numeric(str(value))


@lru_cache(maxsize=16_384)
def _numeric(shown: str) -> bytes:
    sign, digits, exponent = Decimal(shown).as_tuple()
    assert isinstance(exponent, int), "numeric() takes finite values"
    scale = max(0, -exponent)
    figures = ("".join(map(str, digits)) + "0" * max(0, exponent)).zfill(scale + 1)
    whole, fraction = figures[: len(figures) - scale], figures[len(figures) - scale :]
    whole = whole.lstrip("0")
    whole = whole.zfill(-(-len(whole) // 4) * 4)
    fraction += "0" * (-len(fraction) % 4)
    groups = [int(whole[i : i + 4]) for i in range(0, len(whole), 4)]
    weight = len(groups) - 1
    groups += [int(fraction[i : i + 4]) for i in range(0, len(fraction), 4)]
    while groups and groups[-1] == 0:
        groups.pop()
    while groups and groups[0] == 0:
        groups.pop(0)
        weight -= 1
    if not groups:
        weight = 0
    flag = _NUMERIC_NEGATIVE if sign and groups else 0
    head = _numeric_head(8 + 2 * len(groups), len(groups), weight, flag, scale)
    return head + struct.pack(f"!{len(groups)}H", *groups)


async def copy_rows(
    connection: asyncpg.Connection, table: str, columns: Sequence[str], rows: Sequence[bytes]
) -> None:
    """COPY rows encoded here (each `field_count` and its values) into `table`'s `columns`."""
    if rows:
        await copy_payload(connection, table, b"".join((HEADER, *rows, TRAILER)), columns)


async def copy_payload(
    connection: asyncpg.Connection,
    table: str,
    payload: bytes,
    columns: Sequence[str] | None = None,
) -> None:
    """COPY a whole binary payload (`HEADER`, rows, `TRAILER`) into `table` (all its columns
    when `columns` is None)."""
    await connection.copy_to_table(
        table,
        source=_once(payload),
        columns=None if columns is None else list(columns),
        format="binary",
    )


async def _once(data: bytes) -> AsyncIterator[bytes]:
    # An async iterable: asyncpg reads a file-like source in a thread.
    yield data
