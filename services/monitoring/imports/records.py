"""The records of one chunk of an upload, as values in FIELDS order: NDJSON lines or CSV rows,
numbered within the chunk. A record the format refuses (not JSON, not UTF-8, the wrong number
of CSV fields) gives a RowProblem as its values, raised when the row is checked, so that it is
reported under its own row number and the chunk goes on. Runs in the import's worker
(`rows.RowParser`): no web framework, no database."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from operator import itemgetter, methodcaller
from typing import Any

from services.monitoring.imports.chunks import FIELDS, ChunkResult, ParserContext
from services.monitoring.imports.fields import RowProblem

Picker = Callable[[list[str]], tuple[Any, ...]]
_SPLIT_FIELDS = methodcaller("split", ",")


def read(
    data: bytes, context: ParserContext, pick: Picker, result: ChunkResult
) -> Iterator[tuple[int, Any]]:
    """(row number in the chunk, values) of each non-blank record; sets `result.records`.
    `pick`: `picker(context.columns)`, made once per import."""
    if context.format == "ndjson":
        yield from _ndjson(data, result)
    else:
        yield from _csv(data, len(context.columns or ()), pick, result)


def picker(columns: tuple[str, ...] | None) -> Picker:
    """A function from a CSV record to its values in FIELDS order (an empty text for a
    column the file does not have)."""
    if columns is None or columns == FIELDS:
        return tuple
    missing = len(columns)
    positions = [columns.index(name) if name in columns else missing for name in FIELDS]
    getter = itemgetter(*positions)
    if missing in positions:
        return lambda record: getter([*record, ""])
    return getter


def _ndjson(data: bytes, result: ChunkResult) -> Iterator[tuple[int, Any]]:
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    result.records = len(lines)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
        except UnicodeDecodeError:
            yield number, RowProblem("row", "malformed", "The line is not valid UTF-8.")
            continue
        except json.JSONDecodeError as exc:
            message = f"The line is not valid JSON: {exc.msg} at column {exc.colno}."
            yield number, RowProblem("row", "malformed", message)
            continue
        except (ValueError, RecursionError):
            yield number, RowProblem("row", "malformed", "The line is not valid JSON.")
            continue
        if not isinstance(values, dict):
            yield number, RowProblem("row", "malformed", "The line is not a JSON object.")
            continue
        yield number, tuple(map(values.get, FIELDS))


def _csv(data: bytes, width: int, pick: Picker, result: ChunkResult) -> Iterator[tuple[int, Any]]:
    try:
        text_ = data.decode("utf-8")
        damaged = False
    except UnicodeDecodeError:
        text_ = data.decode("utf-8", errors="replace")
        damaged = True
    if "\r" in text_ and text_.count("\r") == text_.count("\r\n"):
        text_ = text_.replace("\r\n", "\n")
    if '"' in text_ or "\r" in text_:
        records: Iterator[Any] = _csv_records(text_)
    else:  # without quotes, a record is a line and its fields are between commas
        lines = text_.split("\n")
        if lines and not lines[-1]:
            lines.pop()
        records = map(_SPLIT_FIELDS, lines)
    number = 0
    for record in records:
        number += 1
        if isinstance(record, RowProblem):
            yield number, record
        elif not record or (len(record) == 1 and not record[0].strip()):
            continue
        elif damaged and any("\ufffd" in value for value in record):
            yield number, RowProblem("row", "malformed", "The row is not valid UTF-8.")
        elif len(record) != width:
            message = f"The row has {len(record)} fields; the header has {width}."
            yield number, RowProblem("row", "malformed", message)
        else:
            yield number, pick(record)
    result.records = number


def _csv_records(text_: str) -> Iterator[list[str] | RowProblem]:
    """The records of CSV text, a RowProblem for one the reader refuses (it goes on with the
    next line)."""
    reader = csv.reader(io.StringIO(text_, newline=""))
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RowProblem("row", "malformed", f"The row is not valid CSV: {exc}.")
