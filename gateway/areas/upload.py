"""Reading an uploaded CSV of areas (`code,name,parent_code`) into rows, with the file's caps."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from services.common.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
COLUMNS = frozenset({"code", "name", "parent_code"})
REQUIRED_COLUMNS = ("code", "name")
FILE_FIELD = "body.file"


@dataclass(frozen=True)
class CsvRow:
    """One data row: its 1-based number, its cells by column, whether it had surplus cells."""

    number: int
    cells: dict[str, str]
    surplus: bool


def _file_problem(rule: str, message: str) -> InvalidInput:
    return InvalidInput.for_field(FILE_FIELD, rule, message)


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise _file_problem("file_too_large", f"The file exceeds {MAX_BYTES // (1024 * 1024)} MB.")


def parse_rows(content: bytes) -> list[CsvRow]:
    """The data rows of a UTF-8 CSV (a BOM is allowed, as spreadsheet programs write one).

    A whole-file problem (encoding, header, too many rows) answers 422 before anything is
    written; a problem of one row is left to the row's own validation.
    """
    check_size(len(content))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_problem(
            "file_encoding", f"The file is not UTF-8 (byte {exc.start} is not valid)."
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(next(reader, None))
        rows: list[CsvRow] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are not rows, spreadsheets leave them behind
            if len(rows) == MAX_ROWS:
                raise _file_problem(
                    "too_many_rows", f"The file has more than {MAX_ROWS} rows; split it."
                )
            values = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
            rows.append(CsvRow(len(rows) + 1, values, surplus=len(cells) > len(header)))
    except csv.Error as exc:
        raise _file_problem(
            "csv_malformed", f"The CSV cannot be read at line {reader.line_num}: {exc}"
        ) from exc
    return rows


def _header(cells: list[str] | None) -> list[str]:
    if cells is None:
        raise _file_problem("file_empty", "The file is empty; it needs a header line.")
    header = [cell.strip().lower() for cell in cells]
    if len(set(header)) != len(header):
        raise _file_problem("columns_duplicate", "A column appears twice in the header.")
    unknown = sorted(set(header) - COLUMNS)
    if unknown:
        raise _file_problem(
            "columns_unknown",
            f"Unknown columns {', '.join(unknown)}; expected code,name,parent_code.",
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise _file_problem(
            "columns_missing",
            f"Missing columns {', '.join(missing)}; expected code,name,parent_code.",
        )
    return header
