"""What an import knows across chunks: every household of the file, every person seen, and the
report. Pure bookkeeping (no I/O), fed one parsed chunk at a time, in file order.

A household moves through these states:
- open: valid so far, but no head yet; its rows wait in the pending staging table;
- loaded: valid so far with exactly one head; it and its rows are in the real tables (later rows
  of the household are added as they come);
- rejected: one of its rows broke a rule; if it had been loaded, the import deletes it again
  before committing, so a household is loaded whole or not at all;
- existing: its household number was already registered before the import: the import never
  changes it, each of its rows counts as unchanged (the person is its member already) or is
  rejected.
"""

from __future__ import annotations

import heapq
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from services.monitoring.figures.contribution import HouseholdState, contribution
from services.monitoring.imports.rows import AGREEING_FIELDS, ChunkResult, HouseholdSeen

REPORT_LIMIT = 1000


class State(Enum):
    OPEN = "open"
    LOADED = "loaded"
    REJECTED = "rejected"
    EXISTING = "existing"


@dataclass(slots=True)
class Household:
    number: str
    id: uuid.UUID
    agreeing: tuple[str | None, ...] | None  # village, kind, address, phone of its first row
    seen: HouseholdSeen | None
    state: State = State.OPEN
    heads: int = 0
    head_name: str | None = None
    rows: list[int] = field(default_factory=list)  # accepted rows, for a later rejection
    members: int = 0  # accepted rows: loaded, about to be loaded, or pending
    pending: int = 0  # rows waiting in the pending staging table
    existing_id: uuid.UUID | None = None
    existing_area: str | None = None


@dataclass(frozen=True)
class ExistingHousehold:
    id: uuid.UUID
    area_code: str


@dataclass
class ChunkPlan:
    """The writes one chunk needs, in the order the service performs them."""

    # Households loaded now: (id, number, area, kind, head name, address, phone cipher,
    # phone index, phone masked, member count).
    new_households: list[tuple[object, ...]] = field(default_factory=list)
    # Households whose rows wait in the pending table and are loaded now.
    from_pending: dict[str, uuid.UUID] = field(default_factory=dict)
    from_pending_rows: int = 0
    # Households whose rows of this chunk are loaded now.
    from_chunk: dict[str, uuid.UUID] = field(default_factory=dict)
    from_chunk_rows: int = 0
    # Households without a head so far: their rows of this chunk wait in the pending table.
    to_pending: list[str] = field(default_factory=list)
    # Households loaded by an earlier chunk that gained members in this one.
    grown: dict[uuid.UUID, int] = field(default_factory=dict)


class Ledger:
    def __init__(self) -> None:
        self.households: dict[str, Household] = {}
        self.people: dict[bytes, int] = {}  # blind index -> first row of the person
        self.received = 0
        self.rows = 0  # rows numbered so far (blank ones included)
        self.unchanged = 0
        self.rejected_count = 0
        self._report: list[tuple[int, int, str, str, str]] = []  # max-heap on row, bounded
        self._order = 0
        self.unloaded: list[uuid.UUID] = []  # loaded households rejected later

    # Before the database is asked ---------------------------------------------------------

    def unknown_households(self, result: ChunkResult) -> list[str]:
        """Household numbers this chunk introduces, to be looked up among registered ones."""
        known = self.households
        numbers = {number for number in result.household if number not in known}
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
        touched: dict[str, int] = {}  # household -> rows accepted in this chunk

        for local, number, field_name, rule, message in result.rejected:
            self.reject_row(offset + local, field_name, rule, message)
            if number is not None:
                household = self._household(number, result, existing, None)
                if household.state is not State.EXISTING:
                    self._reject_household(household, "household_incomplete")

        people, households = self.people, self.households
        # The hot loop of the import's event-loop side: plain locals, no calls per good row.
        for local, number, index, agreeing, head_name in zip(
            result.row,
            result.household,
            result.person_index,
            result.agreeing,
            result.head_name,
            strict=True,
        ):
            row = offset + local
            household = households.get(number) or self._household(
                number, result, existing, agreeing
            )
            first_row = people.setdefault(index, row)
            if first_row != row:
                self.reject_row(
                    row,
                    "person_number",
                    "duplicate_in_file",
                    f"The same person is already in row {first_row} of this file.",
                )
                if household.state is not State.EXISTING:
                    self._reject_household(household, "household_incomplete")
                continue
            state = household.state
            if state is State.EXISTING:
                self._existing_row(row, household, agreeing, active.get(index))
                continue
            if state is State.REJECTED:
                self.reject_row(row, "household_number", *_incomplete())
                continue
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
                continue
            if active and index in active:
                self.reject_row(row, "person_number", *_in_other_household())
                self._reject_household(household, "household_incomplete")
                continue
            household.rows.append(row)
            household.members += 1
            if head_name is not None:
                household.heads += 1
                household.head_name = household.head_name or head_name
            touched[number] = touched.get(number, 0) + 1

        return self._plan(touched)

    def _household(
        self,
        number: str,
        result: ChunkResult,
        existing: Mapping[str, ExistingHousehold],
        agreeing: tuple[str | None, ...] | None,
    ) -> Household:
        household = self.households.get(number)
        if household is None:
            seen = result.households.get(number)
            household = Household(
                number=number,
                id=uuid.UUID(bytes=seen.id) if seen else uuid.uuid4(),
                agreeing=agreeing,
                seen=seen,
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

    def _plan(self, touched: Mapping[str, int]) -> ChunkPlan:
        plan = ChunkPlan()
        for number, accepted in touched.items():
            household = self.households[number]
            if household.state is not State.OPEN and household.state is not State.LOADED:
                continue
            if household.heads > 1:
                self._reject_household(household, "household_head")
            elif household.state is State.LOADED:
                plan.from_chunk[number] = household.id
                plan.from_chunk_rows += accepted
                plan.grown[household.id] = accepted
            elif household.heads == 1:
                household.state = State.LOADED
                plan.new_households.append(_household_row(household))
                if household.pending:
                    plan.from_pending[number] = household.id
                    plan.from_pending_rows += household.pending
                    household.pending = 0
                plan.from_chunk[number] = household.id
                plan.from_chunk_rows += accepted
            else:
                plan.to_pending.append(number)
                household.pending += accepted
        return plan

    # At the end of the file -----------------------------------------------------------------

    def finish(self) -> None:
        """Households still without a head are rejected."""
        for household in self.households.values():
            if household.state is State.OPEN:
                self._reject_household(household, "household_head")

    def loaded(self) -> list[Household]:
        return [h for h in self.households.values() if h.state is State.LOADED]

    def figures(self) -> dict[str, Counter[str]]:
        """What the loaded households add to each village's figures."""
        by_village: dict[str, Counter[str]] = {}
        for household in self.loaded():
            village = household.agreeing[0] if household.agreeing else None
            assert village is not None
            state = HouseholdState(
                area_code=village,
                kind=str(household.agreeing[1]) if household.agreeing else "",
                monitoring_status="none",
                monitoring_category=None,
                member_count=household.members,
            )
            by_village.setdefault(village, Counter()).update(contribution(state))
        return by_village

    # Rejections ------------------------------------------------------------------------------

    def reject_row(self, row: int, field_name: str, rule: str, message: str) -> None:
        """Count a rejected row; keep it for the report if it is among the first rows."""
        self.rejected_count += 1
        self._order += 1
        entry = (-row, -self._order, field_name, rule, message)
        if len(self._report) < REPORT_LIMIT:
            heapq.heappush(self._report, entry)
        elif entry > self._report[0]:
            heapq.heapreplace(self._report, entry)

    def report(self) -> list[tuple[int, str, str, str]]:
        """The kept rejections, (row, field, rule, message), in row order."""
        entries = sorted(self._report, reverse=True)
        return [(-row, field_name, rule, message) for row, _, field_name, rule, message in entries]

    def _reject_household(self, household: Household, rule: str) -> None:
        if household.state is State.REJECTED:
            return
        if household.state is State.LOADED:
            self.unloaded.append(household.id)
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
        household.pending = 0


def _disagreeing_field(first: tuple[str | None, ...] | None, this: tuple[str | None, ...]) -> str:
    for name, a, b in zip(AGREEING_FIELDS, first or (), this, strict=False):
        if a != b:
            return name
    return AGREEING_FIELDS[0]


def _household_row(household: Household) -> tuple[object, ...]:
    village, kind, address, _ = household.agreeing or (None, None, None, None)
    seen = household.seen
    return (
        household.id,
        household.number,
        village,
        kind,
        household.head_name,
        address,
        seen.phone_cipher if seen else None,
        seen.phone_index if seen else None,
        seen.phone_masked if seen else None,
        household.members,
    )


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
