"""Writing a chunk's valid records and matching them against the registry in one statement.

Matching is by the blind index of the ID number against active members in any area: a person
belongs to one household at a time across the country, and the warning goes to that
household's village whoever sent the record. A record already received (same source and
source record id, from any batch) is left out by the unique index and counts as a duplicate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.driver import driver_connection
from services.monitoring.feeds.records import Rejection, ValidRecord

# A chunk's records are COPY'd into a temporary table of the worker's connection, then written
# and matched from there in one statement: COPY encodes each value once, where array parameters
# cost asyncpg a few type checks per element (about a third of the app's time writing a chunk).
# The table is emptied at every commit; the DELETE only matters when the chunk's transaction is
# nested in an outer one (tests).
CREATE_INCOMING = """
CREATE TEMPORARY TABLE IF NOT EXISTS feed_incoming (
    line int NOT NULL, source text NOT NULL, source_record_id text NOT NULL,
    person_number_cipher bytea NOT NULL, person_number_index bytea NOT NULL,
    person_number_masked text NOT NULL, name text NOT NULL, area_code text COLLATE "C" NOT NULL,
    event_type text NOT NULL, event_date date NOT NULL, amount numeric, details_cipher bytea
) ON COMMIT DELETE ROWS
"""
INCOMING_COLUMNS = (
    "line", "source", "source_record_id", "person_number_cipher", "person_number_index",
    "person_number_masked", "name", "area_code", "event_type", "event_date", "amount",
    "details_cipher",
)  # fmt: skip

INSERT_AND_MATCH = """
WITH incoming AS (
    SELECT i.*, m.id AS member_id, m.household_id, h.kind AS household_kind,
           h.area_code AS household_area
    FROM pg_temp.feed_incoming i
    LEFT JOIN members m ON m.person_number_index = i.person_number_index AND m.active
    LEFT JOIN households h ON h.id = m.household_id
), inserted AS (
    INSERT INTO feed_records (
        batch_id, line, source, source_record_id, person_number_cipher, person_number_index,
        person_number_masked, name, area_code, event_type, event_date, amount, details_cipher,
        member_id, household_id)
    SELECT $1, line, source, source_record_id, person_number_cipher, person_number_index,
           person_number_masked, name, area_code, event_type, event_date, amount,
           details_cipher, member_id, household_id
    FROM incoming
    ORDER BY line
    ON CONFLICT (source, source_record_id) DO NOTHING
    RETURNING id, line
)
SELECT inserted.id, inserted.line, incoming.household_id, incoming.household_kind,
       incoming.household_area
FROM inserted JOIN incoming USING (line)
"""

COPY_REJECTIONS = ("batch_id", "line", "source_record_id", "field", "rule", "message")


@dataclass(slots=True)  # not frozen: see ValidRecord
class Written:
    """A record written (not a duplicate), and its household when the person is registered."""

    record_id: int
    line: int
    household_id: uuid.UUID | None
    household_kind: str | None
    household_area: str | None


async def write_records(
    session: AsyncSession, batch_id: uuid.UUID, records: list[ValidRecord]
) -> list[Written]:
    if not records:
        return []
    driver = await driver_connection(session)
    await driver.execute(CREATE_INCOMING)
    await driver.execute("DELETE FROM pg_temp.feed_incoming")
    await driver.copy_records_to_table(
        "feed_incoming",
        schema_name="pg_temp",
        records=[
            (
                r.line,
                r.source,
                r.source_record_id,
                r.person.cipher,
                r.person.index,
                r.person.masked,
                r.name,
                r.area_code,
                r.event_type,
                r.event_date,
                r.amount,
                r.details_cipher,
            )
            for r in records
        ],
        columns=INCOMING_COLUMNS,
    )
    rows = await driver.fetch(INSERT_AND_MATCH, batch_id)
    return [
        Written(
            row["id"],
            row["line"],
            row["household_id"],
            row["household_kind"],
            row["household_area"],
        )
        for row in rows
    ]


async def write_rejections(
    session: AsyncSession, batch_id: uuid.UUID, rejections: list[Rejection]
) -> None:
    if not rejections:
        return
    driver = await driver_connection(session)
    await driver.copy_records_to_table(
        "feed_rejections",
        records=[
            (batch_id, r.line, r.source_record_id, r.field, r.rule, r.message[:300])
            for r in rejections
        ],
        columns=COPY_REJECTIONS,
    )
