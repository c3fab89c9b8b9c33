"""Time-ordered ids for bulk loads (UUID version 7, RFC 9562).

A million random (version 4) keys land all over the primary-key and foreign-key indexes, so
nearly every insert touches a cold page; ids that grow with time append at the right edge of the
indexes, which measurably speeds up loading (docs/benchmarks.md). The low 62 bits are random
(from the operating system), so ids stay unguessable.
"""

from __future__ import annotations

import os
import time

_RANDOM_BATCH = 8 * 4096
_RANDOM_MASK = (1 << 62) - 1
_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)


class UuidSeven:
    """Makes version 7 UUIDs: 48-bit Unix milliseconds, a 12-bit counter that keeps ids made
    within one millisecond in order, and 62 random bits. One generator per thread."""

    def __init__(self) -> None:
        self._millisecond = 0
        self._counter = 0
        self._random = b""
        self._position = _RANDOM_BATCH

    def next(self) -> bytes:
        """The 16 bytes of a new id."""
        now = time.time_ns() // 1_000_000
        if now > self._millisecond:
            self._millisecond, self._counter = now, 0
        else:
            self._counter += 1
            if self._counter > 0xFFF:
                self._millisecond, self._counter = self._millisecond + 1, 0
        if self._position >= _RANDOM_BATCH:
            # One system call for thousands of ids.
            self._random, self._position = os.urandom(_RANDOM_BATCH), 0
        position = self._position
        self._position = position + 8
        random_bits = int.from_bytes(self._random[position : position + 8], "big") & _RANDOM_MASK
        value = (self._millisecond << 80) | (self._counter << 64) | _VERSION_AND_VARIANT
        return (value | random_bits).to_bytes(16, "big")
