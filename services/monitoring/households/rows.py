"""Writing new and changed records with one asyncpg statement each instead of an ORM flush.

An ORM flush of one object costs the app about two and a half times the CPU of the same INSERT
or UPDATE in Core, and Core's execution again several times asyncpg's own; field sync writes
thousands. These helpers send the statement on the session's asyncpg connection (in its
transaction) and set what the database stored (defaults, version, timestamps) on the object as
its committed state, so the object reads as after a flush and nothing is left for the session
to flush again. New records stay outside the session (transient): nothing may change them
afterwards expecting a flush.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from services.common.driver import driver_connection
from services.monitoring.figures import rollups
from services.monitoring.figures.contribution import HouseholdState, contribution
from services.monitoring.households.connection import text_refused_as_invalid
from services.monitoring.models import Household, Member, Visit

Record = TypeVar("Record", Household, Member, Visit)

HOUSEHOLDS: Table = Household.__table__  # type: ignore[assignment]
HOUSEHOLD_COLUMNS = frozenset(HOUSEHOLDS.c.keys())


def transient(model: type[Record], values: Mapping[str, Any] | asyncpg.Record) -> Record:
    """A record outside the session holding `values`, built as the ORM builds a loaded one
    (straight into its `__dict__`): the constructor's instrumented set of each attribute costs
    about 10 us, more than its INSERT on the driver. Nothing tracks changes to it."""
    record: Record = model.__mapper__.class_manager.new_instance()
    record.__dict__.update(values)
    return record


async def insert_records(session: AsyncSession, records: Sequence[Record]) -> None:
    """INSERT new records of one kind in one statement; each then holds its stored row."""
    if not records:
        return
    table: Table = records[0].__table__  # type: ignore[assignment]
    given = [_given(table, record) for record in records]
    names = tuple(given[0])
    values = [value for row in given for value in row.values()]
    connection = await driver_connection(session)
    with text_refused_as_invalid():
        stored = await connection.fetch(_insert(table, names, len(given)), *values)
    by_id = {row["id"]: row for row in stored}
    for record in records:
        for name, value in by_id[record.id].items():
            if name not in names:  # set by a server default
                set_committed_value(record, name, value)


async def save_household(
    session: AsyncSession, household: Household, values: dict[str, Any]
) -> None:
    """UPDATE the loaded household's row with `values` and the next version (one statement,
    `updated_at` set to now as the column's onupdate would) and set them on the household as
    stored."""
    values = {**values, "version": household.version + 1}
    names = tuple(sorted(values))
    connection = await driver_connection(session)
    with text_refused_as_invalid():
        updated_at = await connection.fetchval(
            _update_household(names), household.id, *(values[name] for name in names)
        )
    for name, value in {**values, "updated_at": updated_at}.items():
        set_committed_value(household, name, value)


async def record_state_change(
    session: AsyncSession, before: HouseholdState | None, after: HouseholdState | None
) -> None:
    """Move the household's contribution to its village's figures from `before` to `after`
    (either may be None), as `figures.contribution.record_state_change` does, in one statement
    on the driver."""
    deltas: dict[tuple[str, str], int] = {}
    for state, sign in ((before, -1), (after, 1)):
        if state is not None:
            for metric, value in contribution(state).items():
                key = (state.area_code, metric)
                deltas[key] = deltas.get(key, 0) + sign * value
    # Rows in a fixed order, so that two writers never lock them crosswise.
    rows = sorted((key, delta) for key, delta in deltas.items() if delta)
    if not rows:
        return
    await (await driver_connection(session)).execute(
        rollups.BUMP_MANY,
        [area for (area, _), _ in rows],
        [rollups.ALL_YEARS] * len(rows),
        [metric for (_, metric), _ in rows],
        [delta for _, delta in rows],
    )


@cache
def _insert(table: Table, names: tuple[str, ...], count: int) -> str:
    width = len(names)
    rows = ", ".join(
        "(" + ", ".join(f"${row * width + i + 1}" for i in range(width)) + ")"
        for row in range(count)
    )
    columns = ", ".join(f'"{name}"' for name in names)
    return f'INSERT INTO "{table.name}" ({columns}) VALUES {rows} RETURNING *'


@cache
def _update_household(names: tuple[str, ...]) -> str:
    unknown = set(names) - HOUSEHOLD_COLUMNS
    assert not unknown, f"not household columns: {unknown}"
    assignments = ", ".join(f'"{name}" = ${i + 2}' for i, name in enumerate(names))
    return (
        f"UPDATE households SET {assignments}, updated_at = now() WHERE id = $1 "
        "RETURNING updated_at"
    )


def _given(table: Table, record: Any) -> dict[str, Any]:
    """The column values set on a new record, with the columns' Python defaults (the ORM's
    insert would apply them); the server's defaults fill the rest."""
    state = record.__dict__
    values = {}
    for column in table.c:
        if column.key in state:
            values[column.key] = state[column.key]
        elif column.default is not None:
            default: Any = column.default
            values[column.key] = default.arg(None) if default.is_callable else default.arg
            set_committed_value(record, column.key, values[column.key])
    return values
