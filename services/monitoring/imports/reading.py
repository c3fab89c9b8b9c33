"""Cutting a streamed upload into chunks that end at record boundaries.

NDJSON records end at every newline. A CSV record ends at a newline outside quotes: with
RFC 4180 quoting a newline is outside quotes exactly when an even number of quote characters
precede it in the record, which `bytes.count` finds at C speed, so the event loop never parses
CSV itself. Newlines are single bytes in UTF-8, so a cut never splits a character.
"""

from __future__ import annotations

import csv

from services.common.errors import InvalidInput
from services.monitoring.imports.chunks import FIELDS, REQUIRED_FIELDS

BOM = b"\xef\xbb\xbf"


class ChunkCutter:
    """Fed the body piece by piece, gives back chunks of about `target_bytes` each; for CSV,
    `header` holds the header record once it has arrived."""

    def __init__(self, *, csv: bool, target_bytes: int, longest_record: int) -> None:
        self._csv = csv
        self._target = target_bytes
        self._longest = longest_record
        self._buffer = bytearray()
        self._started = False
        self.header: bytes | None = None

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        if not self._start(final=False):
            return []
        chunks = []
        while len(self._buffer) >= self._target:
            cut = self._last_boundary(self._target) or self._last_boundary(len(self._buffer))
            if not cut:
                if len(self._buffer) > self._longest:
                    raise InvalidInput(
                        f"A record is longer than {self._longest} bytes.", code="record_too_long"
                    )
                break
            chunks.append(bytes(self._buffer[:cut]))
            del self._buffer[:cut]
        return chunks

    def finish(self) -> list[bytes]:
        """The rest of the body, at the end of the upload."""
        self._start(final=True)
        rest, self._buffer = bytes(self._buffer), bytearray()
        return [rest] if rest.strip() else []

    def _start(self, *, final: bool) -> bool:
        """Drop a byte-order mark and, for CSV, take the header; False while waiting for them."""
        if not self._started:
            if len(self._buffer) < len(BOM) and not final:
                return False
            if self._buffer.startswith(BOM):
                del self._buffer[: len(BOM)]
            self._started = True
        if self._csv and self.header is None:
            end = self._first_boundary() or (len(self._buffer) if final else 0)
            if not end:
                if len(self._buffer) > self._longest:
                    raise InvalidInput("The CSV header never ends.", code="record_too_long")
                return False
            self.header = bytes(self._buffer[:end])
            del self._buffer[:end]
        return True

    def _last_boundary(self, limit: int) -> int:
        """The end of the last whole record within the first `limit` bytes (0 if none)."""
        buffer = self._buffer
        end = buffer.rfind(b"\n", 0, limit)
        if not self._csv:
            return end + 1
        quotes = buffer.count(b'"', 0, end) if end >= 0 else 0
        while end >= 0:
            if quotes % 2 == 0:
                return end + 1
            previous = buffer.rfind(b"\n", 0, end)
            quotes -= buffer.count(b'"', previous + 1, end)
            end = previous
        return 0

    def _first_boundary(self) -> int:
        buffer = self._buffer
        start = quotes = 0
        while (end := buffer.find(b"\n", start)) >= 0:
            quotes += buffer.count(b'"', start, end)
            if quotes % 2 == 0:
                return end + 1
            start = end + 1
        return 0


def parse_header(header: bytes) -> tuple[tuple[str, ...], list[str]]:
    """The CSV columns (names trimmed and lower-cased) and those the import does not use.
    422 when a required column is missing or a name repeats."""
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The CSV file is not UTF-8.", code="csv_header_invalid") from None
    records = list(csv.reader(text.splitlines()))
    names = tuple(name.strip().lower() for name in records[0]) if records else ()
    missing = [name for name in REQUIRED_FIELDS if name not in names]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if missing or repeated:
        problems = [f"missing column {name}" for name in missing]
        problems += [f"column {name} appears twice" for name in repeated]
        raise InvalidInput.for_field("header", "csv_header_invalid", "; ".join(problems) + ".")
    return names, [name for name in names if name not in FIELDS]
