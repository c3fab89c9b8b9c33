"""Every statement of a household import, on the raw asyncpg connection of the import's
transaction: staging tables, look-ups by the chunk, set-based inserts with their change-feed
rows, and the clean-up of households rejected after they were loaded.

Staging tables are temporary and dropped with the transaction (and explicitly at the end, so a
connection that runs two imports inside one outer transaction, as the tests do, can).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import asyncpg

from services.common.copy_binary import copy_payload
from services.monitoring.figures.rollups import ALL_YEARS
from services.monitoring.imports.ledger import ExistingHousehold
from services.monitoring.imports.rows import STAGED_COLUMNS

MEMBER_COLUMNS = [name for name, _ in STAGED_COLUMNS if name != "household_number"]

_CREATE_STAGING = f"""
DROP TABLE IF EXISTS import_rows, import_pending, import_households;
CREATE TEMP TABLE import_rows ({", ".join(f"{name} {kind}" for name, kind in STAGED_COLUMNS)})
    ON COMMIT DROP;
CREATE TEMP TABLE import_pending (LIKE import_rows) ON COMMIT DROP;
CREATE TEMP TABLE import_households (
    id uuid, household_number text, area_code text, kind text, head_name text, address text,
    phone_cipher bytea, phone_index bytea, phone_masked text, member_count integer
) ON COMMIT DROP;
"""

_INSERT_HOUSEHOLDS = """
WITH created AS (
    INSERT INTO households (
        id, household_number, area_code, kind, head_name, address,
        phone_cipher, phone_index, phone_masked, member_count, monitoring_status, version
    )
    SELECT id, household_number, area_code, kind, head_name, address,
        phone_cipher, phone_index, phone_masked, member_count, 'none', 1
    FROM import_households
    ORDER BY area_code, head_name
    ON CONFLICT DO NOTHING
    RETURNING id, area_code
)
INSERT INTO changes (entity, entity_id, operation, area_code, version)
SELECT 'household', id::text, 'create', area_code, 1 FROM created
"""

_INSERT_MEMBERS = """
WITH created AS (
    INSERT INTO members ({columns}, household_id, active, version)
    SELECT {staged}, loaded.id, true, 1
    FROM {table} AS staged
    JOIN unnest($1::text[], $2::uuid[]) AS loaded (household_number, id) USING (household_number)
    ON CONFLICT DO NOTHING
    RETURNING id, area_code
)
INSERT INTO changes (entity, entity_id, operation, area_code, version)
SELECT 'member', id::text, 'create', area_code, 1 FROM created
"""


def _insert_members(table: str) -> str:
    return _INSERT_MEMBERS.format(
        columns=", ".join(MEMBER_COLUMNS),
        staged=", ".join(f"staged.{name}" for name in MEMBER_COLUMNS),
        table=table,
    )


_INSERT_MEMBERS_FROM_CHUNK = _insert_members("import_rows")
_INSERT_MEMBERS_FROM_PENDING = _insert_members("import_pending")


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


async def create_staging(connection: asyncpg.Connection) -> None:
    await connection.execute(_CREATE_STAGING)


async def drop_staging(connection: asyncpg.Connection) -> None:
    await connection.execute("DROP TABLE import_rows, import_pending, import_households")


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
    """The household of each of these people who is an active member anywhere."""
    if not indexes:
        return {}
    async with _planned_for_these_values(connection):
        rows = await connection.fetch(
            "SELECT person_number_index, household_id FROM members "
            "WHERE active AND person_number_index = ANY($1::bytea[])",
            indexes,
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


async def stage_chunk(connection: asyncpg.Connection, payload: bytes) -> None:
    """Replace the chunk staging table's rows with this chunk's (COPY, binary format)."""
    await connection.execute("TRUNCATE import_rows")
    if payload:
        await copy_payload(connection, "import_rows", payload)


async def insert_households(
    connection: asyncpg.Connection, rows: Sequence[tuple[object, ...]]
) -> int:
    """Insert households (and their change-feed rows); the number inserted."""
    await connection.execute("TRUNCATE import_households")
    await connection.copy_records_to_table("import_households", records=rows)
    return _count(await connection.execute(_INSERT_HOUSEHOLDS))


async def insert_members(
    connection: asyncpg.Connection, households: Mapping[str, uuid.UUID], *, pending: bool
) -> int:
    """Insert the staged members of these households (and their change-feed rows), from the
    chunk or from the pending table; the number inserted."""
    statement = _INSERT_MEMBERS_FROM_PENDING if pending else _INSERT_MEMBERS_FROM_CHUNK
    status = await connection.execute(statement, list(households), list(households.values()))
    return _count(status)


async def keep_pending(connection: asyncpg.Connection, numbers: Sequence[str]) -> None:
    """Keep the chunk's rows of households still without a head for a later chunk."""
    await connection.execute(
        "INSERT INTO import_pending SELECT * FROM import_rows "
        "WHERE household_number = ANY($1::text[])",
        numbers,
    )


async def add_member_counts(connection: asyncpg.Connection, added: Mapping[uuid.UUID, int]) -> None:
    await connection.execute(
        "UPDATE households AS h SET member_count = h.member_count + grown.added "
        "FROM unnest($1::uuid[], $2::integer[]) AS grown (id, added) WHERE h.id = grown.id",
        list(added),
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


def _count(status: str) -> int:
    """The row count of a command status such as `INSERT 0 42`."""
    return int(status.rsplit(" ", 1)[-1])
