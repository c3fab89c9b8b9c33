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

from services.monitoring.feeds.records import Rejection, ValidRecord
from services.monitoring.warnings.driver import driver_connection

INSERT_AND_MATCH = """
WITH incoming AS (
    SELECT i.*, m.id AS member_id, m.household_id, h.kind AS household_kind,
           h.area_code AS household_area
    FROM unnest($2::int[], $3::text[], $4::text[], $5::bytea[], $6::bytea[], $7::text[],
                $8::text[], $9::text[], $10::text[], $11::date[], $12::numeric[], $13::bytea[])
         AS i(line, source, source_record_id, person_number_cipher, person_number_index,
              person_number_masked, name, area_code, event_type, event_date, amount,
              details_cipher)
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


@dataclass(frozen=True, slots=True)
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
    columns = zip(
        *(
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
        ),
        strict=True,
    )
    rows = await driver.fetch(INSERT_AND_MATCH, batch_id, *(list(column) for column in columns))
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
