"""Append-only rows (audit log, change feed) held back and inserted together before a commit.

A transaction of many small writes (a field device's pushed batch) would otherwise send one
INSERT per audit row and per change, each costing more in the app than in the database. With
`hold_rows(session)` those rows wait in memory and `insert_held_rows` sends one multi-row INSERT
per table, in the same transaction, in the order they were recorded. The rows of a write that
is undone (its savepoint rolled back) are dropped with it: run the write inside
`with held.dropped_on_error():`. Nothing in the transaction may read these tables back
before they are inserted (no write path does: they are append-only logs).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

HELD_ROWS = "dixian.held_rows"


class HeldRows:
    """Rows waiting for their INSERT, in the order they were recorded."""

    def __init__(self) -> None:
        self._rows: list[tuple[Table, dict[str, Any]]] = []

    def add(self, table: Table, values: dict[str, Any]) -> None:
        self._rows.append((table, values))

    @contextmanager
    def dropped_on_error(self) -> Iterator[None]:
        """The rows recorded inside the block are dropped if it raises (its write undone)."""
        mark = len(self._rows)
        try:
            yield
        except BaseException:
            del self._rows[mark:]
            raise

    def by_table(self) -> dict[Table, list[dict[str, Any]]]:
        grouped: dict[Table, list[dict[str, Any]]] = {}
        for table, values in self._rows:
            grouped.setdefault(table, []).append(values)
        return grouped


def hold_rows(session: AsyncSession) -> HeldRows:
    """From now on the session's audit and change rows wait for `insert_held_rows`."""
    held = HeldRows()
    session.info[HELD_ROWS] = held
    return held


async def insert_held_rows(session: AsyncSession) -> None:
    """Insert every held row (one statement per table) and stop holding them."""
    held: HeldRows | None = session.info.pop(HELD_ROWS, None)
    if held is None:
        return
    for table, rows in held.by_table().items():
        await session.execute(insert(table), rows)


async def append_row(session: AsyncSession, table: Table, values: dict[str, Any]) -> None:
    """Insert one row now, or hold it when the session holds its rows."""
    held: HeldRows | None = session.info.get(HELD_ROWS)
    if held is None:
        await session.execute(insert(table), values)
    else:
        held.add(table, values)
