"""The households of one chunk of an import, as the parser gathers them from their members'
rows (`rows.RowParser`), and their encoding for the app: the `households` rows and change rows
in binary COPY format, and what the ledger needs to decide on each. Runs in the import's
worker: no web framework, no database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.common.copy_binary import text
from services.monitoring.imports import encoding
from services.monitoring.imports.chunks import ChunkResult


class ChunkHousehold:
    """A household being gathered from one chunk."""

    __slots__ = (
        "agreeing",
        "area",
        "head_name",
        "heads",
        "id",
        "id_text",
        "kind",
        "number",
        "ordinal",
        "phone",
        "positions",
    )

    def __init__(
        self, number: str, ordinal: int, id: bytes, id_text: bytes, agreeing: tuple[Any, ...]
    ) -> None:
        self.number = number
        self.ordinal = ordinal
        self.id = id
        self.id_text = id_text
        self.agreeing = agreeing
        self.area = text(agreeing[0])
        self.kind = text(agreeing[1])
        self.head_name: str | None = None
        self.heads = 0
        self.positions: list[int] = []
        self.phone: tuple[bytes, bytes, str] | None = None


def finish_households(households: Iterable[ChunkHousehold], result: ChunkResult) -> None:
    """Encode the chunk's households (rows, change rows, ids) into `result`, with what the
    ledger needs of each: number, household fields, head, and where its members are."""
    rows, changes, ids = bytearray(), bytearray(), bytearray()
    ends = result.household_ends
    for ordinal, household in enumerate(households):
        positions = household.positions
        rows += encoding.household_row(
            household.id,
            household.number,
            household.area,
            household.kind,
            household.head_name,
            household.agreeing[2],
            household.phone,
            len(positions),
        )
        ends.append(len(rows))
        changes += encoding.household_change(household.id_text, household.area)
        ids += household.id
        result.households.append(household.number)
        result.agreeing.append(household.agreeing)
        result.head_names.append(household.head_name)
        result.heads.append(min(household.heads, 255))
        result.first.append(positions[0])
        result.size.append(len(positions))
        if positions[-1] - positions[0] != len(positions) - 1:
            result.scattered[ordinal] = positions
    result.household_rows, result.household_changes = bytes(rows), bytes(changes)
    result.household_ids = bytes(ids)
