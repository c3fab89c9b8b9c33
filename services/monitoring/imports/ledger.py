"""What an import knows across chunks: every household of the file, every person seen, and the
rejections (`rejections.py`). Pure bookkeeping (no I/O), fed one parsed chunk at a time, in
file order; for each chunk it answers which of the chunk's encoded rows go into the real tables
(a `ChunkPlan`). What the loaded households add to the figures: `loaded_figures.py`.

A household moves through these states:
- open: valid so far, but no head yet; its encoded rows wait here, in memory;
- loaded: valid so far with exactly one head; it and its rows are in the real tables (later rows
  of the household are added as they come);
- rejected: one of its rows broke a rule; if it had been loaded, the import deletes it again
  before committing, so a household is loaded whole or not at all;
- existing: its household number was already registered before the import: the import never
  changes it, each of its rows counts as unchanged (the person is its member already) or is
  rejected.

Most households of a chunk take the quick way: new to the import and to the registry, all rows
valid and agreeing, one head, nobody in them seen before or registered: they are loaded with the
rows the worker encoded, without a step per row here. Every other household of the chunk goes
row by row through the rules (`_row`), in file order.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from services.common.copy_binary import text
from services.monitoring.imports import encoding
from services.monitoring.imports.chunks import AGREEING_FIELDS, ChunkResult
from services.monitoring.imports.plans import ChunkPlan, member_row
from services.monitoring.imports.rejections import Rejections


class State(Enum):
    OPEN = "open"
    LOADED = "loaded"
    REJECTED = "rejected"
    EXISTING = "existing"


@dataclass(slots=True)
class Household:
    number: str
    id: bytes  # uuid bytes
    agreeing: tuple[str | None, ...] | None  # village, kind, address, phone of its first row
    # Its row as its first chunk encoded it (kept for households not loaded the quick way).
    encoded: bytes | None
    state: State = State.OPEN
    heads: int = 0
    head_name: str | None = None
    rows: list[int] = field(default_factory=list)  # accepted rows, for a later rejection
    members: int = 0  # accepted rows: loaded, about to be loaded, or pending
    # Encoded member and change rows waiting for the household's head.
    pending: list[tuple[bytes, bytes]] = field(default_factory=list)
    existing_id: uuid.UUID | None = None
    existing_area: str | None = None


@dataclass(frozen=True)
class ExistingHousehold:
    id: uuid.UUID
    area_code: str


class Ledger:
    def __init__(self) -> None:
        self.households: dict[str, Household] = {}
        self.people: dict[bytes, int] = {}  # blind index -> first row of the person
        self.received = 0
        self.rows = 0  # rows numbered so far (blank ones included)
        self.unchanged = 0
        self.rejections = Rejections()
        self.unloaded: list[uuid.UUID] = []  # loaded households rejected later

    # Before the database is asked ---------------------------------------------------------

    def unknown_households(self, result: ChunkResult) -> list[str]:
        """Household numbers this chunk introduces, to be looked up among registered ones."""
        known = self.households
        numbers = {number for number in result.households if number not in known}
        numbers.update(
            number for _, number, *_ in result.rejected if number and number not in known
        )
        return sorted(numbers)

    # Taking in one chunk ------------------------------------------------------------------

    def absorb(
        self,
        result: ChunkResult,
        existing: Mapping[str, ExistingHousehold],
        active: Mapping[bytes, uuid.UUID],
    ) -> ChunkPlan:
        """Apply one parsed chunk, given the registered households among its household numbers
        and the household of each of its people who is already an active member somewhere."""
        offset = self.rows
        self.rows += result.records
        self.received += result.received

        for local, number, field_name, rule, message in result.rejected:
            self.reject_row(offset + local, field_name, rule, message)
            if number is not None:
                household = self._household(number, None, existing, None)
                if household.state is not State.EXISTING:
                    self._reject_household(household, "household_incomplete")

        # Nobody seen twice and nobody registered: each person is checked once, at C speed.
        people, indexes = self.people, result.person_index
        quick = (
            not active and len(set(indexes)) == len(indexes) and people.keys().isdisjoint(indexes)
        )
        if quick:
            people.update(zip(indexes, map(offset.__add__, result.row), strict=True))

        plan = ChunkPlan()
        known, row_of, heads = self.households, result.row, result.heads
        troubled = result.disagreeing_households
        slow: list[int] = []  # ordinals of the households that go row by row
        for ordinal, number in enumerate(result.households):
            if (
                quick
                and heads[ordinal] == 1
                and number not in known
                and number not in existing
                and ordinal not in troubled
            ):
                known[number] = Household(
                    number=number,
                    id=result.household_id(ordinal),
                    agreeing=result.agreeing[ordinal],
                    encoded=None,
                    state=State.LOADED,
                    heads=1,
                    rows=[offset + row_of[position] for position in result.positions(ordinal)],
                    members=result.size[ordinal],
                )
            else:
                slow.append(ordinal)
        plan.take_quick_rows(result, slow)
        if slow:
            self._slow_households(plan, result, slow, existing, active, offset)
        return plan

    def _slow_households(
        self,
        plan: ChunkPlan,
        result: ChunkResult,
        ordinals: list[int],
        existing: Mapping[str, ExistingHousehold],
        active: Mapping[bytes, uuid.UUID],
        offset: int,
    ) -> None:
        """The rules row by row, in file order, for these households of the chunk."""
        owner = {
            position: ordinal for ordinal in ordinals for position in result.positions(ordinal)
        }
        touched: dict[str, list[int]] = {}  # household -> positions accepted in this chunk
        for position in sorted(owner):
            ordinal = owner[position]
            agreeing = result.disagreeing.get(position) or result.agreeing[ordinal]
            head_name = result.head_names[ordinal] if result.head[position] else None
            if self._row(
                offset + result.row[position],
                result,
                ordinal,
                result.person_index[position],
                agreeing,
                head_name,
                existing,
                active,
            ):
                touched.setdefault(result.households[ordinal], []).append(position)
        self._plan(plan, result, touched)

    def _row(
        self,
        row: int,
        result: ChunkResult,
        ordinal: int,
        index: bytes,
        agreeing: tuple[str | None, ...],
        head_name: str | None,
        existing: Mapping[str, ExistingHousehold],
        active: Mapping[bytes, uuid.UUID],
    ) -> bool:
        """One valid row against the rules that need other rows or the registry; whether it
        is accepted."""
        number = result.households[ordinal]
        household = self.households.get(number) or self._household(
            number, (result, ordinal), existing, agreeing
        )
        first_row = self.people.setdefault(index, row)
        if first_row != row:
            self.reject_row(
                row,
                "person_number",
                "duplicate_in_file",
                f"The same person is already in row {first_row} of this file.",
            )
            if household.state is not State.EXISTING:
                self._reject_household(household, "household_incomplete")
            return False
        state = household.state
        if state is State.EXISTING:
            self._existing_row(row, household, agreeing, active.get(index))
            return False
        if state is State.REJECTED:
            self.reject_row(row, "household_number", *_incomplete())
            return False
        first = household.agreeing
        if first is not agreeing and first != agreeing:
            field_name = _disagreeing_field(first, agreeing)
            self.reject_row(
                row,
                field_name,
                "household_fields_disagree",
                f"{field_name} differs from the household's first row "
                f"(row {household.rows[0] if household.rows else '?'}).",
            )
            self._reject_household(household, "household_incomplete")
            return False
        if active and index in active:
            self.reject_row(row, "person_number", *_in_other_household())
            self._reject_household(household, "household_incomplete")
            return False
        household.rows.append(row)
        household.members += 1
        if head_name is not None:
            household.heads += 1
            household.head_name = household.head_name or head_name
        return True

    def _household(
        self,
        number: str,
        seen: tuple[ChunkResult, int] | None,
        existing: Mapping[str, ExistingHousehold],
        agreeing: tuple[str | None, ...] | None,
    ) -> Household:
        """The household of this number, made at its first row (`seen`: the chunk and the
        household's ordinal in it, when the row is valid)."""
        household = self.households.get(number)
        if household is None:
            if seen is None:
                household_id, encoded = uuid.uuid4().bytes, None
            else:
                result, ordinal = seen
                household_id = result.household_id(ordinal)
                encoded = result.household_row(ordinal)
            household = Household(
                number=number, id=household_id, agreeing=agreeing, encoded=encoded
            )
            registered = existing.get(number)
            if registered is not None:
                household.state = State.EXISTING
                household.existing_id = registered.id
                household.existing_area = registered.area_code
            self.households[number] = household
        return household

    def _existing_row(
        self,
        row: int,
        household: Household,
        agreeing: tuple[str | None, ...],
        member_of: uuid.UUID | None,
    ) -> None:
        if agreeing[0] != household.existing_area:
            self.reject_row(
                row,
                "household_number",
                "household_number_taken",
                "The household number is already registered in another village.",
            )
        elif member_of == household.existing_id:
            self.unchanged += 1
        elif member_of is not None:
            self.reject_row(row, "person_number", *_in_other_household())
        else:
            self.reject_row(
                row,
                "household_number",
                "household_exists",
                "The household is already registered without this person; an import never "
                "changes a registered household: add members through the registry.",
            )

    def _plan(self, plan: ChunkPlan, result: ChunkResult, touched: Mapping[str, list[int]]) -> None:
        """The writes of the households that went row by row."""
        for number, positions in touched.items():
            household = self.households[number]
            if household.state is not State.OPEN and household.state is not State.LOADED:
                continue
            rows = [
                (member_row(result, position, household.id), result.member_change(position))
                for position in positions
            ]
            if household.heads > 1:
                self._reject_household(household, "household_head")
            elif household.state is State.LOADED:
                plan.add_members(rows)
                plan.grown[household.id] = len(rows)
            elif household.heads == 1:
                household.state = State.LOADED
                plan.households.append(_household_row(household))
                plan.household_count += 1
                area = text(household.agreeing[0] if household.agreeing else None)
                identifier = encoding.uuid_text(household.id)
                plan.changes.append(encoding.household_change(identifier, area))
                plan.change_count += 1
                plan.add_members(household.pending)
                household.pending = []
                plan.add_members(rows)
            else:
                household.pending.extend(rows)

    # At the end of the file -----------------------------------------------------------------

    def finish(self) -> None:
        """Households still without a head are rejected."""
        for household in self.households.values():
            if household.state is State.OPEN:
                self._reject_household(household, "household_head")

    def loaded(self) -> list[Household]:
        return [h for h in self.households.values() if h.state is State.LOADED]

    # Rejections ------------------------------------------------------------------------------

    def reject_row(self, row: int, field_name: str, rule: str, message: str) -> None:
        self.rejections.add(row, field_name, rule, message)

    def _reject_household(self, household: Household, rule: str) -> None:
        if household.state is State.REJECTED:
            return
        if household.state is State.LOADED:
            self.unloaded.append(uuid.UUID(bytes=household.id))
        household.state = State.REJECTED
        if rule == "household_head":
            message = (
                "The household has no head (户主)."
                if household.heads == 0
                else f"The household has {household.heads} heads (户主); it must have one."
            )
            field_name = "relationship"
        else:
            field_name, rule, message = "household_number", *_incomplete()
        for row in household.rows:
            self.reject_row(row, field_name, rule, message)
        household.rows = []
        household.members = 0
        household.pending = []


def _disagreeing_field(first: tuple[str | None, ...] | None, this: tuple[str | None, ...]) -> str:
    for name, a, b in zip(AGREEING_FIELDS, first or (), this, strict=False):
        if a != b:
            return name
    return AGREEING_FIELDS[0]


def _household_row(household: Household) -> bytes:
    """The row of a household loaded the slow way: as its first chunk encoded it, with its
    head's name and all its members."""
    assert household.encoded is not None and household.head_name is not None
    return encoding.with_head(household.encoded, household.head_name, household.members)


def _incomplete() -> tuple[str, str]:
    return (
        "household_incomplete",
        "Another row of this household was rejected; a household is loaded whole or not at all.",
    )


def _in_other_household() -> tuple[str, str]:
    return (
        "person_in_other_household",
        "The person is already an active member of another household.",
    )
