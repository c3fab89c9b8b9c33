"""What crosses between an import's app process and its parser workers: the context a worker
checks against, a chunk of the upload, and the chunk parsed (`ChunkResult`, columns rather than
objects so that it pickles cheaply); with the field names every part of an import shares."""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from services.common.copy_binary import text
from services.monitoring.households.circumstances import MEMBER_CIRCUMSTANCES
from services.monitoring.imports import encoding

ImportFormat = Literal["ndjson", "csv"]

HOUSEHOLD_FIELDS = ("household_number", "village", "kind", "address", "phone")
MEMBER_FIELDS = (
    "person_number",
    "name",
    "relationship",
    *MEMBER_CIRCUMSTANCES,
)
FIELDS = HOUSEHOLD_FIELDS + MEMBER_FIELDS
REQUIRED_FIELDS = ("household_number", "village", "kind", "person_number", "name", "relationship")
# Fields a household's rows must agree on (the village, kind, address and phone of the household).
AGREEING_FIELDS = ("village", "kind", "address", "phone")


@dataclass(frozen=True)
class ParserContext:
    """Everything a worker needs, picklable: the format, the caller's area, the code lists and
    the key settings (a worker process builds its own keyring and blind index from them)."""

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
    """A parsed chunk. Valid rows are numbered by position (file order); for each, its row
    number, blind index, whether it is a head's row and its encoded `members` and `changes` rows.
    Households are numbered in the order of their first valid row (their ordinal); each has its
    encoded row (with no head name when it has no head's row here) and change row. Columns, not
    objects: they cross from the worker process cheaply. Change rows have a fixed size."""

    number: int
    records: int = 0  # data rows in the chunk, blank ones included (they are numbered)
    received: int = 0  # non-blank rows
    row: array[int] = field(default_factory=lambda: array("I"))  # 1-based within the chunk
    person_index: list[bytes] = field(default_factory=list)
    head: bytearray = field(default_factory=bytearray)
    members: bytes = b""
    member_ends: array[int] = field(default_factory=lambda: array("I"))
    member_changes: bytes = b""
    # Households, by ordinal.
    households: list[str] = field(default_factory=list)  # their numbers
    household_ids: bytes = b""  # 16 bytes each, fresh in each chunk
    agreeing: list[tuple[str | None, ...]] = field(default_factory=list)  # of the first row
    head_names: list[str | None] = field(default_factory=list)  # on the first head's row
    heads: bytearray = field(default_factory=bytearray)  # head rows (at most 255)
    first: array[int] = field(default_factory=lambda: array("I"))  # position of the first row
    size: array[int] = field(default_factory=lambda: array("I"))  # valid rows
    scattered: dict[int, list[int]] = field(default_factory=dict)  # positions, if not adjacent
    household_rows: bytes = b""
    household_ends: array[int] = field(default_factory=lambda: array("I"))
    household_changes: bytes = b""
    # position -> household fields of a row that differ from its household's first row
    disagreeing: dict[int, tuple[str | None, ...]] = field(default_factory=dict)
    disagreeing_households: set[int] = field(default_factory=set)  # ordinals
    # (row, household number if it could be read, field, rule, message)
    rejected: list[tuple[int, str | None, str, str, str]] = field(default_factory=list)

    def positions(self, ordinal: int) -> Sequence[int]:
        """The positions of a household's valid rows."""
        scattered = self.scattered.get(ordinal)
        if scattered is not None:
            return scattered
        first = self.first[ordinal]
        return range(first, first + self.size[ordinal])

    def household_id(self, ordinal: int) -> bytes:
        return self.household_ids[ordinal * 16 : ordinal * 16 + 16]

    def household_row(self, ordinal: int) -> bytes:
        start = self.household_ends[ordinal - 1] if ordinal else 0
        return self.household_rows[start : self.household_ends[ordinal]]

    def member_row(self, position: int) -> bytes:
        start = self.member_ends[position - 1] if position else 0
        return self.members[start : self.member_ends[position]]

    def member_change(self, position: int) -> bytes:
        return self.member_changes[position * CHANGE_SIZE : (position + 1) * CHANGE_SIZE]


CHANGE_SIZE = len(encoding.member_change(bytes(36), text("0" * 12)))
HOUSEHOLD_CHANGE_SIZE = len(encoding.household_change(bytes(36), text("0" * 12)))
