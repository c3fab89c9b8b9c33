"""The rows one chunk of an import writes (`ChunkPlan`), assembled from what the chunk's
worker encoded: the quick households' rows as whole runs of the encoded bytes, cut around the
households the ledger takes row by row, and those households' rows one at a time."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.monitoring.imports import encoding
from services.monitoring.imports.chunks import CHANGE_SIZE, HOUSEHOLD_CHANGE_SIZE, ChunkResult


@dataclass
class ChunkPlan:
    """The rows one chunk writes, encoded for COPY, and the member counts it raises."""

    households: list[bytes] = field(default_factory=list)
    household_count: int = 0
    changes: list[bytes] = field(default_factory=list)
    change_count: int = 0
    members: list[bytes] = field(default_factory=list)
    member_count: int = 0
    # Households loaded by an earlier chunk that gained members in this one.
    grown: dict[bytes, int] = field(default_factory=dict)

    def take_quick_rows(self, result: ChunkResult, slow: list[int]) -> None:
        """The encoded rows of the households loaded the quick way: the whole chunk's rows
        when every household is, else the runs between the `slow` ones' (ordinals)."""
        if not slow:
            spans_h = _spans_between([], len(result.households))
            spans_m = _spans_between([], len(result.row))
        else:
            spans_h = _spans_between(slow, len(result.households))
            excluded = sorted(p for ordinal in slow for p in result.positions(ordinal))
            spans_m = _spans_between(excluded, len(result.row))
        ends = result.household_ends
        for start, stop in spans_h:
            self.households.append(
                result.household_rows[ends[start - 1] if start else 0 : ends[stop - 1]]
            )
            self.household_count += stop - start
            self.changes.append(
                result.household_changes[
                    start * HOUSEHOLD_CHANGE_SIZE : stop * HOUSEHOLD_CHANGE_SIZE
                ]
            )
            self.change_count += stop - start
        ends = result.member_ends
        for start, stop in spans_m:
            self.members.append(result.members[ends[start - 1] if start else 0 : ends[stop - 1]])
            self.member_count += stop - start
            self.changes.append(result.member_changes[start * CHANGE_SIZE : stop * CHANGE_SIZE])
            self.change_count += stop - start

    def add_members(self, rows: list[tuple[bytes, bytes]]) -> None:
        """Encoded (member, change) rows."""
        for member, change in rows:
            self.members.append(member)
            self.changes.append(change)
        self.member_count += len(rows)
        self.change_count += len(rows)


def member_row(result: ChunkResult, position: int, household_id: bytes) -> bytes:
    """The encoded member row, under the id the ledger keeps for its household."""
    row = result.member_row(position)
    if row[encoding.HOUSEHOLD_ID] == household_id:
        return row
    return b"".join(
        (row[: encoding.HOUSEHOLD_ID.start], household_id, row[encoding.HOUSEHOLD_ID.stop :])
    )


def _spans_between(excluded: list[int], size: int) -> list[tuple[int, int]]:
    """[start, stop) runs of 0..size-1 without the sorted `excluded` values."""
    spans, start = [], 0
    for value in excluded:
        if value > start:
            spans.append((start, value))
        start = value + 1
    if start < size:
        spans.append((start, size))
    return spans
