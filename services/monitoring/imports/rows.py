"""Turning one chunk of an upload into staged rows: parse, validate, encrypt, encode for COPY.

This is the CPU-heavy half of an import and runs in a worker (a process, or a thread for small
uploads), so it depends only on the personal-data and area kits: no web framework, no database.
A chunk always ends at a record boundary; rows are numbered within the chunk and the caller adds
the offset. Rules that need other rows (duplicates, household agreement, heads) or the database
are decided by the caller.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from services.common.personal_data import (
    BlindIndex,
    InvalidPersonNumber,
    InvalidPhone,
    Keyring,
    Protector,
    mask_person_number,
    normalize_phone,
    parse_person_number,
)
from services.common.personal_data.protector import PERSON_NUMBER
from services.monitoring.imports import copy_binary
from services.monitoring.imports import fields as check
from services.monitoring.imports.fields import FLAGS, RowProblem
from services.monitoring.imports.ids import UuidSeven

ImportFormat = Literal["ndjson", "csv"]

HOUSEHOLD_FIELDS = ("household_number", "village", "kind", "address", "phone")
MEMBER_FIELDS = (
    "person_number",
    "name",
    "relationship",
    "education",
    "student_status",
    "health",
    "labour_ability",
    "work_place",
    "work_months",
    "medical_insurance",
    "pension_insurance",
    "minimum_living_allowance",
    "extreme_poverty_support",
)
FIELDS = HOUSEHOLD_FIELDS + MEMBER_FIELDS
REQUIRED_FIELDS = ("household_number", "village", "kind", "person_number", "name", "relationship")
# Fields a household's rows must agree on (the village, kind, address and phone of the household).
AGREEING_FIELDS = ("village", "kind", "address", "phone")

_CODE_LISTS = (
    "household_kind",
    "relationship",
    "education",
    "student_status",
    "health",
    "labour_ability",
)
_MEMBER_CODES = (
    ("education", "education"),
    ("student_status", "student_status"),
    ("health", "health"),
    ("labour_ability", "labour_ability"),
)
# Columns of the staging table, in the order rows are encoded.
STAGED_COLUMNS = (
    ("household_number", "text"),
    ("id", "uuid"),
    ("area_code", "text"),
    ("person_number_cipher", "bytea"),
    ("person_number_index", "bytea"),
    ("person_number_masked", "text"),
    ("person_number_kind", "text"),
    ("name", "text"),
    ("sex", "text"),
    ("birth_date", "date"),
    ("relationship", "text"),
    ("education", "text"),
    ("student_status", "text"),
    ("health", "text"),
    ("labour_ability", "text"),
    ("work_place", "text"),
    ("work_months", "smallint"),
    ("medical_insurance", "boolean"),
    ("pension_insurance", "boolean"),
    ("minimum_living_allowance", "boolean"),
    ("extreme_poverty_support", "boolean"),
)


@dataclass(frozen=True)
class ParserContext:
    """Everything a worker needs, picklable: the format, the caller's area, the code lists and
    the key settings (a worker process builds its own Protector from them)."""

    format: ImportFormat
    columns: tuple[str, ...] | None  # the CSV header, None for NDJSON
    scope_area: str
    codes: Mapping[str, frozenset[str]]
    data_keys: str
    data_key_current: str | None
    blind_index_key: str


@dataclass(frozen=True)
class Chunk:
    number: int
    data: bytes


@dataclass
class ChunkResult:
    """A parsed chunk. Valid rows are columnar (cheap to pickle and to walk); each household
    seen in the chunk gets a fresh id and, from its first valid row, its protected phone."""

    number: int
    records: int = 0  # data rows in the chunk, blank ones included (they are numbered)
    received: int = 0  # non-blank rows
    payload: bytes = b""  # staged rows in COPY binary format
    row: list[int] = field(default_factory=list)  # 1-based within the chunk
    household: list[str] = field(default_factory=list)
    agreeing: list[tuple[str | None, ...]] = field(default_factory=list)
    head_name: list[str | None] = field(default_factory=list)  # the name on a head's row
    person_index: list[bytes] = field(default_factory=list)
    households: dict[str, HouseholdSeen] = field(default_factory=dict)
    # (row, household number if it could be read, field, rule, message)
    rejected: list[tuple[int, str | None, str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class HouseholdSeen:
    id: bytes  # uuid bytes
    phone_cipher: bytes | None
    phone_index: bytes | None
    phone_masked: str | None


class RowParser:
    """Parses chunks of one import; holds the caches that make a county's rows cheap."""

    def __init__(self, context: ParserContext) -> None:
        self.context = context
        self.protector = Protector(
            Keyring.from_setting(context.data_keys, context.data_key_current),
            BlindIndex.from_setting(context.blind_index_key),
        )
        self.codes = {name: context.codes.get(name, frozenset()) for name in _CODE_LISTS}
        self._villages: dict[str, tuple[str, str, str] | None] = {}
        self._encoder = copy_binary.RowEncoder()
        self._ids = UuidSeven()
        self._agreeing: dict[str, tuple[str | None, ...]] = {}

    def parse(self, chunk: Chunk) -> ChunkResult:
        result = ChunkResult(number=chunk.number)
        self._agreeing.clear()
        rows = bytearray()
        for number, values in self._records(chunk.data, result):
            result.received += 1
            try:
                self._row(number, values, result, rows)
            except RowProblem as problem:
                household = check.household_of(values)
                result.rejected.append(
                    (number, household, problem.field, problem.rule, problem.message)
                )
        result.payload = copy_binary.HEADER + bytes(rows) + copy_binary.TRAILER if rows else b""
        return result

    # Reading records -------------------------------------------------------------------------

    def _records(self, data: bytes, result: ChunkResult) -> Iterator[tuple[int, Any]]:
        """(row number in the chunk, values) of each non-blank record; malformed records give
        a RowProblem as values, raised when the row is checked."""
        if self.context.format == "ndjson":
            yield from self._ndjson(data, result)
        else:
            yield from self._csv(data, result)

    def _ndjson(self, data: bytes, result: ChunkResult) -> Iterator[tuple[int, Any]]:
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
            yield number, values

    def _csv(self, data: bytes, result: ChunkResult) -> Iterator[tuple[int, Any]]:
        columns = self.context.columns or ()
        try:
            text = data.decode("utf-8")
            damaged = False
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
            damaged = True
        reader = csv.reader(io.StringIO(text, newline=""))
        number = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # the reader goes on with the next line
                number += 1
                yield number, RowProblem("row", "malformed", f"The row is not valid CSV: {exc}.")
                continue
            number += 1
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if damaged and any("\ufffd" in value for value in record):
                yield number, RowProblem("row", "malformed", "The row is not valid UTF-8.")
            elif len(record) != len(columns):
                message = f"The row has {len(record)} fields; the header has {len(columns)}."
                yield number, RowProblem("row", "malformed", message)
            else:
                yield number, dict(zip(columns, record, strict=True))
        result.records = number

    # Checking one row ------------------------------------------------------------------------

    def _row(self, number: int, values: Any, result: ChunkResult, rows: bytearray) -> None:
        if isinstance(values, RowProblem):
            raise values
        get = values.get
        codes = self.codes
        household_number = check.required(get("household_number"), "household_number")
        village = check.required(get("village"), "village")
        if village not in self._villages:
            self._villages[village] = check.village_problem(village, self.context.scope_area)
        problem = self._villages[village]
        if problem is not None:
            raise RowProblem(*problem)
        kind = check.required(get("kind"), "kind")
        check.code(codes, kind, "kind", "household_kind")
        address = check.text_field(get("address"), "address")
        phone = check.text_field(get("phone"), "phone")
        if phone is not None:
            try:
                phone = normalize_phone(phone)
            except InvalidPhone as exc:
                raise RowProblem("phone", exc.rule, exc.message) from None

        try:
            raw_number = check.required(get("person_number"), "person_number")
            person = parse_person_number(raw_number)
        except InvalidPersonNumber as exc:
            raise RowProblem("person_number", exc.rule, exc.message) from None
        name = check.required(get("name"), "name")
        relationship = check.required(get("relationship"), "relationship")
        check.code(codes, relationship, "relationship", "relationship")
        member_codes = [
            check.code(codes, check.text_field(get(name_), name_), name_, list_name)
            for name_, list_name in _MEMBER_CODES
        ]
        work_place = check.text_field(get("work_place"), "work_place")
        work_months = check.work_months(get("work_months"))
        flags = [check.flag(get(name_), name_) for name_ in FLAGS]

        protector = self.protector
        seen = result.households.get(household_number)
        if seen is None:
            protected_phone = protector.phone(phone) if phone is not None else None
            result.households[household_number] = HouseholdSeen(
                id=self._ids.next(),
                phone_cipher=protected_phone.cipher if protected_phone else None,
                phone_index=protected_phone.index if protected_phone else None,
                phone_masked=protected_phone.masked if protected_phone else None,
            )
        index = protector.person_number_index(person.number)
        self._encoder.row(
            rows,
            household_number,
            self._ids.next(),
            village,
            protector.keyring.encrypt(person.number, PERSON_NUMBER),
            index,
            mask_person_number(person.number),
            person.kind,
            name,
            person.sex,
            person.birth_date,
            relationship,
            member_codes,
            work_place,
            work_months,
            flags,
        )
        agreeing = (village, kind, address, phone)
        # Rows of one household usually agree: share one tuple, which pickles once.
        shared = self._agreeing.setdefault(household_number, agreeing)
        result.row.append(number)
        result.household.append(household_number)
        result.agreeing.append(shared if shared == agreeing else agreeing)
        result.head_name.append(name if relationship == "head" else None)
        result.person_index.append(index)


# A worker process keeps the parsers of the last few imports it served (an import sends its
# context with every chunk; building a parser costs key derivation and empty caches).
_worker_parsers: dict[str, RowParser] = {}
_KEPT_PARSERS = 4


def parse_in_worker(key: str, context: ParserContext, chunk: Chunk) -> ChunkResult:
    parser = _worker_parsers.get(key)
    if parser is None:
        if len(_worker_parsers) >= _KEPT_PARSERS:
            _worker_parsers.pop(next(iter(_worker_parsers)))
        parser = _worker_parsers[key] = RowParser(context)
    return parser.parse(chunk)
