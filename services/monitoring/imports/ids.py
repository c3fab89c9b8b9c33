"""Time-ordered ids for bulk loads (UUID version 7, RFC 9562).

A million random (version 4) keys land all over the primary-key and foreign-key indexes, so
nearly every insert touches a cold page; ids that grow with time append at the right edge of the
indexes, which measurably speeds up loading (docs/benchmarks.md). The low 62 bits are random
(from the operating system), so ids stay unguessable.

Ids are made 4,096 at a time (one millisecond's worth of the 12-bit counter), bytes and text
form together, with byte-slice assignments instead of arithmetic per id: an import needs the text
form too (the change feed's `entity_id`), and formatting a uuid per row costs more than making it.
"""

from __future__ import annotations

import os
import time

_BLOCK = 4096  # the 12-bit counter's values within one millisecond
# Version 7 in the high nibble of byte 6, the counter in the 12 bits after it.
_COUNTER_BYTES = [
    bytes((0x70 | (c >> 8)) for c in range(_BLOCK)),
    bytes(c & 0xFF for c in range(_BLOCK)),
]
# The variant (0b10) in the two high bits of byte 8.
_VARIANT = bytes((b & 0x3F) | 0x80 for b in range(256))
# Where each of the 32 hex digits goes in the 36-character text form.
_TEXT_PLACES = [i + (i >= 8) + (i >= 12) + (i >= 16) + (i >= 20) for i in range(32)]


class UuidSeven:
    """Makes version 7 UUIDs: 48-bit Unix milliseconds, a 12-bit counter that keeps ids made
    within one millisecond in order, and 62 random bits. One generator per thread."""

    def __init__(self) -> None:
        self._millisecond = 0
        self._ids = b""
        self._texts = b""
        self._position = _BLOCK

    def next(self) -> bytes:
        """The 16 bytes of a new id."""
        return self.next_with_text()[0]

    def next_with_text(self) -> tuple[bytes, bytes]:
        """A new id: its 16 bytes and its 36 ASCII characters (as PostgreSQL prints it)."""
        position = self._position
        if position >= _BLOCK:
            self._new_block()
            position = 0
        self._position = position + 1
        return (
            self._ids[position * 16 : position * 16 + 16],
            self._texts[position * 36 : position * 36 + 36],
        )

    def _new_block(self) -> None:
        now = time.time_ns() // 1_000_000
        # A block uses every counter value of its millisecond: the next block takes a later one.
        self._millisecond = max(now, self._millisecond + 1)
        ids = bytearray(16 * _BLOCK)
        for place, byte in enumerate(self._millisecond.to_bytes(6, "big")):
            ids[place::16] = bytes([byte]) * _BLOCK
        ids[6::16], ids[7::16] = _COUNTER_BYTES
        randomness = os.urandom(8 * _BLOCK)
        ids[8::16] = randomness[0::8].translate(_VARIANT)
        for place in range(1, 8):
            ids[8 + place :: 16] = randomness[place::8]
        digits = ids.hex().encode("ascii")
        texts = bytearray(b"-" * (36 * _BLOCK))
        for digit, place in enumerate(_TEXT_PLACES):
            texts[place::36] = digits[digit::32]
        self._ids, self._texts = bytes(ids), bytes(texts)
