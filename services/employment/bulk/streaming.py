"""Reading an uploaded file as it streams in: NDJSON (one JSON object a line) or CSV with a
header line, in batches of records, never holding the whole body. A whole-file problem (type,
header, size) answers 422 or 413 before anything is written; a bad row becomes a row problem.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from services.common.database import BodyTooLarge
from services.common.errors import DixianError, InvalidInput
from services.employment.bulk.report import RowProblem

NDJSON = "application/x-ndjson"
CSV = "text/csv"
MAX_LINE_BYTES = 64 * 1024
_DECODER = json.JSONDecoder()
_JSON_WHITESPACE = " \t\n\r"


class UnsupportedFile(DixianError):
    status = 415
    code = "unsupported_media_type"


@dataclass(slots=True)
class Record:
    row: int
    values: dict[str, Any]

    @property
    def ref(self) -> str | None:
        ref = self.values.get("ref")
        return None if ref is None else str(ref).replace("\x00", "")[:100]


@dataclass(frozen=True)
class FileFormat:
    """What a bulk file may hold: its columns (or keys), and the ones it must hold."""

    columns: frozenset[str]
    required: frozenset[str]


def file_problem(rule: str, message: str) -> InvalidInput:
    return InvalidInput.for_field("body", rule, message)


class Upload:
    """The request body read line by line while a digest of it is kept (for Idempotency-Key)."""

    def __init__(self, request: Request, *, max_bytes: int, max_rows: int) -> None:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in (NDJSON, CSV):
            raise UnsupportedFile(f"Send {NDJSON} (one JSON object a line) or {CSV}.")
        self.csv = media_type == CSV
        length = request.headers.get("content-length", "")
        self.content_length = int(length) if length.isdigit() else None
        self.request = request
        self.max_bytes = max_bytes
        self.max_rows = max_rows
        self.rows = 0
        self.header: list[str] | None = None
        self.digest = hashlib.sha256()
        self.digest.update(
            json.dumps([request.method, request.url.path, request.url.query]).encode()
        )
        self.digest.update(b"\x00")

    async def lines(self) -> AsyncIterator[list[bytes]]:
        """Complete lines, a chunk's worth at a time."""
        size = 0
        pending = b""
        async for chunk in self.request.stream():
            size += len(chunk)
            if size > self.max_bytes:
                raise BodyTooLarge(f"The file is larger than {self.max_bytes} bytes; split it.")
            self.digest.update(chunk)
            pending += chunk
            lines = pending.split(b"\n")
            pending = lines.pop()
            if len(pending) > MAX_LINE_BYTES:
                raise file_problem(
                    "line_too_long", f"A line is longer than {MAX_LINE_BYTES} bytes."
                )
            if lines:
                yield lines
        if pending.strip():
            yield [pending]

    async def drain(self) -> bytes:
        """Read the rest of the body into the digest only (a replayed request)."""
        async for _ in self.lines():
            pass
        return self.digest.digest()

    async def records(self, spec: FileFormat) -> AsyncIterator[list[Record | RowProblem]]:
        """The file's rows in batches: a record, or the problem that stopped it being one."""
        async for batch in self.numbered_lines(spec):
            yield records_of(batch, spec, self.header)

    async def numbered_lines(self, spec: FileFormat) -> AsyncIterator[Lines]:
        """The file's non-blank rows, numbered, a chunk's worth at a time, for `records_of`
        (here or in a worker process); a CSV file's header is read and checked first."""
        reader = self._csv_lines(spec) if self.csv else self._json_lines()
        async for lines in reader:
            if lines:
                first_row = self.rows + 1
                self.rows += len(lines)
                if self.rows > self.max_rows:
                    raise file_problem(
                        "too_many_rows", f"The file has more than {self.max_rows} rows."
                    )
                yield Lines(first_row, lines)

    async def _json_lines(self) -> AsyncIterator[list[bytes]]:
        async for lines in self.lines():
            yield [line for line in lines if line.strip()]

    async def _csv_lines(self, spec: FileFormat) -> AsyncIterator[list[str]]:
        partial: str | None = None
        async for lines in self.lines():
            logical: list[str] = []
            for raw in lines:
                first = self.header is None and partial is None
                try:
                    text = raw.decode("utf-8-sig" if first else "utf-8")
                except UnicodeDecodeError:
                    raise file_problem("file_encoding", "The file is not UTF-8.") from None
                text = text.rstrip("\r")
                partial = text if partial is None else f"{partial}\n{text}"
                # A quoted cell may hold a line break: a record ends when its quotes balance.
                if partial.count('"') % 2 == 0:
                    if self.header is None and not _blank_csv_line(partial):
                        self.header = _header(_parse([partial])[0], spec)
                    elif self.header is not None and not _blank_csv_line(partial):
                        logical.append(partial)
                    partial = None
            yield logical
        if partial is not None:
            raise file_problem("csv_malformed", "The file ends inside a quoted cell.")
        if self.header is None:
            raise file_problem("file_empty", "The file is empty; it needs a header line.")


@dataclass(slots=True)
class Lines:
    """Rows `first_row`, `first_row + 1`, ... of a file: NDJSON lines, or a CSV file's logical
    lines (a quoted cell's line breaks joined), blank ones left out."""

    first_row: int
    lines: list[bytes] | list[str]


def records_of(
    batch: Lines, spec: FileFormat, header: list[str] | None
) -> list[Record | RowProblem]:
    """Each row of `batch` as a record, or the problem that stopped it being one; `header` is
    a CSV file's (None for NDJSON). A pure function: worker processes run it too."""
    if header is not None:
        return _csv_records(batch, header)
    return _json_records(batch, spec)


def _json_records(batch: Lines, spec: FileFormat) -> list[Record | RowProblem]:
    records: list[Record | RowProblem] = []
    for row, line in enumerate(batch.lines, start=batch.first_row):
        try:
            values = _json_value(line)  # type: ignore[arg-type]
        except (ValueError, UnicodeDecodeError):
            records.append(row_problem(row, "body", "json_invalid", "The line is not valid JSON."))
            continue
        if not isinstance(values, dict):
            records.append(
                row_problem(row, "body", "row_not_object", "Each line holds one JSON object.")
            )
            continue
        if not spec.columns.issuperset(values):
            unknown = sorted(set(values) - spec.columns)
            records.append(
                row_problem(row, str(unknown[0])[:100], "unknown_field", "Unknown field.")
            )
            continue
        records.append(Record(row, values))
    return records


def _csv_records(batch: Lines, header: list[str]) -> list[Record | RowProblem]:
    records: list[Record | RowProblem] = []
    for row, cells in enumerate(_parse(batch.lines), start=batch.first_row):  # type: ignore[arg-type]
        if len(cells) > len(header):
            records.append(
                row_problem(
                    row, "body", "row_surplus_cells", "The row has more cells than the header."
                )
            )
            continue
        values = {name: (cell.strip() or None) for name, cell in zip(header, cells, strict=False)}
        records.append(Record(row, values))
    return records


def row_problem(row: int, field: str, rule: str, message: str) -> RowProblem:
    return RowProblem(row=row, field=field, rule=rule, message=message)


def _blank_csv_line(line: str) -> bool:
    """Whether every cell of a logical CSV line is empty or whitespace."""
    if '"' not in line:
        return not line.replace(",", "").strip()
    return not any(cell.strip() for cell in _parse([line])[0])


def _json_value(line: bytes) -> Any:
    """`json.loads(line)`, a third cheaper for the usual line, an object in plain UTF-8 (the
    encoding `json.loads` settles on for a line starting with `{` and no NUL byte after it):
    one decoder call instead of its encoding detection and two whitespace scans."""
    if line[:1] != b"{" or b"\x00" in line[1:4]:
        return json.loads(line)
    text = line.decode("utf-8", "surrogatepass")
    value, end = _DECODER.raw_decode(text)
    if end != len(text) and text[end:].strip(_JSON_WHITESPACE):
        raise ValueError("extra data after the JSON value")
    return value


def _parse(lines: Iterable[str]) -> list[list[str]]:
    try:
        return list(csv.reader(lines))
    except csv.Error as exc:
        raise file_problem("csv_malformed", f"The CSV cannot be read: {exc}") from exc


def _header(cells: list[str], spec: FileFormat) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    if len(set(header)) != len(header):
        raise file_problem("columns_duplicate", "A column appears twice in the header.")
    unknown = sorted(set(header) - spec.columns)
    if unknown:
        raise file_problem("columns_unknown", f"Unknown columns: {', '.join(unknown)}.")
    missing = sorted(spec.required - set(header))
    if missing:
        raise file_problem("columns_missing", f"Missing columns: {', '.join(missing)}.")
    return header
