"""Splitting a batch body into records as it streams in: NDJSON, a JSON array, or CSV.

Each record becomes one staged line of JSON text without raw line breaks: an NDJSON line as
sent, a JSON array's element as sent (its insignificant line breaks made spaces; JSON strings
cannot hold raw ones), a CSV row as a JSON array of its cells. Checking the records is left
to processing, so a bad line is reported on its own and the rest of the batch goes on. Only
what makes the file unreadable as a whole refuses the batch (422): a JSON array that does not
parse, a CSV header without the required columns, a CSV quote that never closes.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from abc import ABC, abstractmethod
from typing import Literal

from services.common.errors import InvalidInput

Format = Literal["ndjson", "json", "csv"]
MEDIA_TYPES: dict[str, Format] = {
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "application/json": "json",
    "text/csv": "csv",
}
REQUIRED_COLUMNS = ("record_id", "person_number", "name", "area_code", "event_type", "event_date")
# The staged line of an NDJSON line that is not UTF-8 (it cannot be JSON text).
UNREADABLE = "\x00"
# A single record larger than this is not a record: the file is broken.
MAX_RECORD_CHARS = 1024 * 1024
_BOM = codecs.BOM_UTF8
_WHITESPACE = " \t\r\n"


def malformed(rule: str, message: str) -> InvalidInput:
    return InvalidInput.for_field("body", rule, message)


class Splitter(ABC):
    """Turns body bytes, as they arrive, into staged lines."""

    records = 0  # records seen (blank NDJSON lines are not records)

    @abstractmethod
    def feed(self, data: bytes) -> list[str]: ...

    @abstractmethod
    def finish(self) -> list[str]: ...


class NdjsonSplitter(Splitter):
    """One record per line; blank lines are kept as empty entries so line numbers hold."""

    def __init__(self) -> None:
        self._carry = b""
        self._started = False

    def feed(self, data: bytes) -> list[str]:
        if not self._started:
            data, self._started = data.removeprefix(_BOM), True
        lines = (self._carry + data).split(b"\n")
        self._carry = lines.pop()
        if len(self._carry) > MAX_RECORD_CHARS:
            raise malformed("record_too_large", "A line is longer than 1 MiB.")
        return [self._line(raw) for raw in lines]

    def finish(self) -> list[str]:
        rest, self._carry = self._carry, b""
        return [self._line(rest)] if rest.strip() else []

    def _line(self, raw: bytes) -> str:
        try:
            text = raw.decode("utf-8").strip(_WHITESPACE)
        except UnicodeDecodeError:
            self.records += 1
            return UNREADABLE
        if text:
            self.records += 1
        return text


class JsonArraySplitter(Splitter):
    """`[{...}, {...}]`: elements are cut out with the standard decoder as they complete."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._json = json.JSONDecoder()
        self._text = ""
        self._state = "start"  # start, first, element, after, done

    def feed(self, data: bytes) -> list[str]:
        self._text += self._decode(data, final=False)
        return self._scan(final=False)

    def finish(self) -> list[str]:
        self._text += self._decode(b"", final=True)
        entries = self._scan(final=True)
        if self._state != "done":
            raise malformed("json_malformed", "The JSON array is not closed with ].")
        return entries

    def _decode(self, data: bytes, *, final: bool) -> str:
        try:
            return self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            raise malformed("file_encoding", "The body is not UTF-8.") from exc

    def _scan(self, *, final: bool) -> list[str]:
        text, position, entries = self._text, 0, []
        while True:
            while position < len(text) and text[position] in _WHITESPACE:
                position += 1
            if position == len(text):
                break
            char = text[position]
            if self._state == "start":
                if char != "[":
                    raise malformed("json_not_array", "A JSON batch is an array of records.")
                self._state, position = "first", position + 1
            elif self._state == "first" and char == "]":
                self._state, position = "done", position + 1
            elif self._state in ("first", "element"):
                end = self._element_end(text, position, final=final)
                if end is None:
                    break
                entries.append(text[position:end].replace("\n", " ").replace("\r", " "))
                self.records += 1
                self._state, position = "after", end
            elif self._state == "after" and char in ",]":
                self._state, position = ("element" if char == "," else "done"), position + 1
            else:
                raise malformed(
                    "json_malformed", f"Unexpected {char!r} after record {self.records}."
                )
        self._text = text[position:]
        if len(self._text) > MAX_RECORD_CHARS:
            raise malformed("json_malformed", f"Record {self.records + 1} does not parse.")
        return entries

    def _element_end(self, text: str, position: int, *, final: bool) -> int | None:
        """Where the element at `position` ends; None when more of the body is needed."""
        try:
            _, end = self._json.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            if final:
                raise malformed(
                    "json_malformed", f"Record {self.records + 1} does not parse: {exc.msg}."
                ) from exc
            return None
        # A number or literal cut by the end of what arrived may go on in the next part.
        return None if end == len(text) and not final else end


class CsvSplitter(Splitter):
    """A header line naming the columns, then one record per row (RFC 4180 quoting)."""

    def __init__(self, *, source_given: bool) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._carry = ""
        self._required = REQUIRED_COLUMNS if source_given else (*REQUIRED_COLUMNS, "source")
        self.header: list[str] | None = None

    def feed(self, data: bytes) -> list[str]:
        text = self._carry + self._decode(data, final=False)
        complete = _complete_records_end(text)
        self._carry = text[complete:]
        if len(self._carry) > MAX_RECORD_CHARS:
            raise malformed("csv_malformed", "A quoted field is not closed.")
        return self._rows(text[:complete])

    def finish(self) -> list[str]:
        text, self._carry = self._carry + self._decode(b"", final=True), ""
        entries = self._rows(text)
        if self.header is None:
            raise malformed("file_empty", "The CSV has no header line.")
        return entries

    def _decode(self, data: bytes, *, final: bool) -> str:
        try:
            return self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            raise malformed("file_encoding", "The body is not UTF-8.") from exc

    def _rows(self, block: str) -> list[str]:
        entries = []
        try:
            for cells in csv.reader(io.StringIO(block, newline="")):
                if self.header is None:
                    self.header = self._check_header(cells)
                elif any(cell.strip() for cell in cells):
                    entries.append(json.dumps(cells, ensure_ascii=False))
                    self.records += 1
        except csv.Error as exc:
            raise malformed("csv_malformed", f"The CSV cannot be read: {exc}") from exc
        return entries

    def _check_header(self, cells: list[str]) -> list[str]:
        header = [cell.strip().lower() for cell in cells]
        if len(set(header)) != len(header):
            raise malformed("columns_duplicate", "A column appears twice in the header.")
        missing = [name for name in self._required if name not in header]
        if missing:
            raise malformed("columns_missing", f"Missing columns: {', '.join(missing)}.")
        return header


def _complete_records_end(text: str) -> int:
    """The end of the last complete record: a line end outside quotes (an even number of
    quote characters before it, since RFC 4180 escapes a quote by doubling it)."""
    inside, position, complete = False, 0, 0
    while True:
        newline = text.find("\n", position)
        if newline < 0:
            return complete
        inside ^= text.count('"', position, newline) % 2 == 1
        position = newline + 1
        if not inside:
            complete = position


def splitter_for(media_type: Format, *, source_given: bool) -> Splitter:
    if media_type == "ndjson":
        return NdjsonSplitter()
    if media_type == "json":
        return JsonArraySplitter()
    return CsvSplitter(source_given=source_given)
