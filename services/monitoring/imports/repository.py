"""Every statement of a household import, on the raw asyncpg connection of the import's
transaction: look-ups by the chunk, COPY of the chunk's rows straight into `households`,
`members` and `changes`, and the clean-up of households rejected after they were loaded.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import asyncpg

from services.common.copy_binary import HEADER, TRAILER, copy_payload
from services.monitoring.figures.rollups import ALL_YEARS
from services.monitoring.imports.ledger import ExistingHousehold


async def hold_statistics(connection: asyncpg.Connection) -> None:
    """Keep VACUUM and ANALYZE (autovacuum's too) off `households` and `members` until the
    import commits; ordinary reads and writes go on.

    Autovacuum sees none of the import's uncommitted rows: run during a first import, it records
    the grown table as holding no rows at all, and the foreign-key check of every later member
    is replanned for an empty `households`. PostgreSQL 18 then picks a skip scan of
    `ix_households_area_code_head_name_id` over the primary key, and each check reads the whole
    index: measured, one check took 19 ms with 300,000 households instead of microseconds.
    The lock also makes imports run one at a time."""
    await connection.execute("LOCK TABLE households, members IN SHARE UPDATE EXCLUSIVE MODE")


async def registered_households(
    connection: asyncpg.Connection, numbers: Sequence[str]
) -> dict[str, ExistingHousehold]:
    """Households already registered under these numbers, in any area (numbers are unique
    nationwide, so a number taken elsewhere must be refused too)."""
    if not numbers:
        return {}
    async with _planned_for_these_values(connection):
        rows = await connection.fetch(
            "SELECT household_number, id, area_code FROM households "
            "WHERE household_number = ANY($1::text[])",
            numbers,
        )
    return {row[0]: ExistingHousehold(id=row[1], area_code=row[2]) for row in rows}


async def active_memberships(
    connection: asyncpg.Connection, indexes: Sequence[bytes]
) -> dict[bytes, uuid.UUID]:
    """The household of each of these people who is an active member anywhere. The 32-byte
    blind indexes travel as one bytea cut apart in the query (as an array, the driver checks
    each element's type in Python: ~1 us a person on the event loop)."""
    if not indexes:
        return {}
    async with _planned_for_these_values(connection):
        rows = await connection.fetch(
            "SELECT person_number_index, household_id FROM members "
            "WHERE active AND person_number_index = ANY(ARRAY("
            "    SELECT substring($1::bytea FROM i * 32 + 1 FOR 32)"
            "    FROM generate_series(0, $2::integer - 1) AS i))",
            b"".join(indexes),
            len(indexes),
        )
    return {row[0]: row[1] for row in rows}


@asynccontextmanager
async def _planned_for_these_values(connection: asyncpg.Connection) -> AsyncIterator[None]:
    """Plan the look-ups for each chunk's values and the tables' current size. A generic plan,
    cached from the first chunks while the import's own rows were few (or after a TRUNCATE),
    can keep scanning a table that has grown by a million rows in this transaction, comparing
    each row with the whole array. Only around the look-ups: the foreign-key checks of the
    inserts must keep their cached plans."""
    await connection.execute("SET LOCAL plan_cache_mode = force_custom_plan")
    try:
        yield
    finally:
        await connection.execute("SET LOCAL plan_cache_mode TO DEFAULT")


async def copy_rows(
    connection: asyncpg.Connection, table: str, columns: Sequence[str], rows: Sequence[bytes]
) -> None:
    """COPY rows encoded by the workers (and a few by the ledger) straight into `table`. Nothing
    is skipped: a row that breaks a unique index (a household number or an active person that
    a concurrent write registered after the chunk's look-ups) fails the COPY."""
    await copy_payload(connection, table, b"".join((HEADER, *rows, TRAILER)), columns)


async def add_member_counts(connection: asyncpg.Connection, added: Mapping[bytes, int]) -> None:
    """Raise the member counts of households loaded by an earlier chunk (by uuid bytes)."""
    await connection.execute(
        "UPDATE households AS h SET member_count = h.member_count + grown.added "
        "FROM unnest($1::uuid[], $2::integer[]) AS grown (id, added) WHERE h.id = grown.id",
        [uuid.UUID(bytes=household_id) for household_id in added],
        list(added.values()),
    )


async def unload_households(connection: asyncpg.Connection, ids: Sequence[uuid.UUID]) -> None:
    """Delete households this import loaded and then rejected, with their members and their
    change-feed rows (only this transaction's, found through the feed's txid index)."""
    await connection.execute(
        """
        DELETE FROM changes
        WHERE txid = pg_current_xact_id()
          AND ((entity = 'member' AND entity_id IN (
                    SELECT id::text FROM members WHERE household_id = ANY($1::uuid[])))
               OR (entity = 'household' AND entity_id = ANY($2::text[])))
        """,
        ids,
        [str(household_id) for household_id in ids],
    )
    await connection.execute("DELETE FROM members WHERE household_id = ANY($1::uuid[])", ids)
    await connection.execute("DELETE FROM households WHERE id = ANY($1::uuid[])", ids)


async def add_to_figures(
    connection: asyncpg.Connection, by_village: Mapping[str, Mapping[str, int]]
) -> None:
    """`rollups.bump` for many villages in one statement: each (village, metric) upserted and
    incremented, locked in (village, metric) order like a series of bumps in village order."""
    rows = sorted(
        (village, metric, value)
        for village, figures in by_village.items()
        for metric, value in figures.items()
        if value
    )
    if not rows:
        return
    villages, metrics, values = (list(column) for column in zip(*rows, strict=True))
    await connection.execute(
        """
        INSERT INTO area_figures (area_code, year, metric, value)
        SELECT area_code, $4, metric, value
        FROM unnest($1::text[], $2::text[], $3::bigint[]) AS added (area_code, metric, value)
        ORDER BY area_code, metric
        ON CONFLICT (area_code, year, metric)
        DO UPDATE SET value = area_figures.value + excluded.value
        """,
        villages,
        metrics,
        values,
        ALL_YEARS,
    )
