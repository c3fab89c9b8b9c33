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

from services.common.copy_binary import copy_payload
from services.common.driver import driver_connection
from services.monitoring.feeds.encoding import EncodedChunk
from services.monitoring.warnings import figures, raising
from services.monitoring.warnings.rules.evaluation import OWN_THRESHOLD_KIND

# A chunk's records and candidate rules arrive as binary COPY payloads (`encoding`) into
# temporary tables of the worker's connection; one statement then writes and matches the
# records and turns every rule a written record fires into a hit (`raising`). The tables are
# emptied at every commit; the DELETEs only matter when the chunk's transaction is nested in
# an outer one (tests). Amounts travel as their decimal text: PostgreSQL reads it for less than
# Python spends encoding a binary numeric.
TEMPORARY_TABLES = f"""
CREATE TEMPORARY TABLE IF NOT EXISTS feed_incoming (
    line int NOT NULL, source text NOT NULL, source_record_id text NOT NULL,
    person_number_cipher bytea NOT NULL, person_number_index bytea NOT NULL,
    person_number_masked text NOT NULL, name text NOT NULL, area_code text COLLATE "C" NOT NULL,
    event_type text NOT NULL, event_date date NOT NULL, amount text, details_cipher bytea
) ON COMMIT DELETE ROWS;
CREATE TEMPORARY TABLE IF NOT EXISTS feed_candidates (
    line int NOT NULL, rule_version_id bigint NOT NULL, if_exited_poverty boolean NOT NULL,
    if_other boolean NOT NULL
) ON COMMIT DELETE ROWS;
{raising.CREATE_HITS};
{figures.NEW_WARNINGS};
DELETE FROM pg_temp.feed_incoming;
DELETE FROM pg_temp.feed_candidates;
DELETE FROM pg_temp.feed_hits;
DELETE FROM pg_temp.feed_new_warnings;
"""
INCOMING_COLUMNS = (
    "line", "source", "source_record_id", "person_number_cipher", "person_number_index",
    "person_number_masked", "name", "area_code", "event_type", "event_date", "amount",
    "details_cipher",
)  # fmt: skip
CANDIDATE_COLUMNS = ("line", "rule_version_id", "if_exited_poverty", "if_other")

# A record fires a candidate rule by its household's kind (`CompiledRule.verdicts`).
INSERT_AND_MATCH = f"""
WITH incoming AS (
    SELECT i.line, i.source, i.source_record_id, i.person_number_cipher,
           i.person_number_index, i.person_number_masked, i.name, i.area_code, i.event_type,
           i.event_date, i.amount::numeric AS amount, i.details_cipher, m.id AS member_id,
           m.household_id, h.kind AS household_kind, h.area_code AS household_area
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
    RETURNING id, line, household_id
), hits AS (
    INSERT INTO pg_temp.feed_hits ({", ".join(raising.HIT_COLUMNS)})
    SELECT CASE WHEN r.household_id IS NULL THEN 'lead' ELSE 'warning' END, r.household_id,
           i.person_number_index, v.rule_id, v.code, v.id, v.risk_type, i.source,
           i.event_type, r.id, i.event_date, i.amount, coalesce(i.household_area, i.area_code),
           i.person_number_cipher, i.person_number_masked, i.name
    FROM inserted r
    JOIN incoming i USING (line)
    JOIN pg_temp.feed_candidates c USING (line)
    JOIN warning_rule_versions v ON v.id = c.rule_version_id
    WHERE CASE WHEN i.household_kind = '{OWN_THRESHOLD_KIND}' THEN c.if_exited_poverty
               ELSE c.if_other END
    RETURNING kind, household_id, person_number_index, rule_id
)
SELECT (SELECT count(*) FROM inserted)::int AS written,
       (SELECT count(household_id) FROM inserted)::int AS matched,
       (SELECT count(*) FROM hits)::int AS events,
       (SELECT count(DISTINCT (household_id, rule_id)) FROM hits
        WHERE kind = 'warning')::int AS warnings,
       (SELECT count(DISTINCT (person_number_index, rule_id)) FROM hits
        WHERE kind = 'lead')::int AS leads
"""
REJECTION_COLUMNS = ("batch_id", "line", "source_record_id", "field", "rule", "message")


@dataclass(slots=True)
class Written:
    """What a chunk's records came to: written (the others were duplicates), matched to a
    registered person, and the hits staged for `raising`, with their distinct (key, rule)
    pairs by kind."""

    written: int
    matched: int
    hits: raising.StagedHits


async def write_records(session: AsyncSession, batch_id: uuid.UUID, chunk: EncodedChunk) -> Written:
    driver = await driver_connection(session)
    await driver.execute(TEMPORARY_TABLES)
    if not chunk.incoming:
        return Written(0, 0, raising.StagedHits())
    await copy_payload(driver, "feed_incoming", chunk.incoming, INCOMING_COLUMNS)
    if chunk.candidates:
        await copy_payload(driver, "feed_candidates", chunk.candidates, CANDIDATE_COLUMNS)
    row = await driver.fetchrow(INSERT_AND_MATCH, batch_id)
    assert row is not None
    hits = raising.StagedHits(
        events=row["events"], keys={"warning": row["warnings"], "lead": row["leads"]}
    )
    return Written(row["written"], row["matched"], hits)


async def write_rejections(session: AsyncSession, chunk: EncodedChunk) -> None:
    if chunk.rejections:
        driver = await driver_connection(session)
        await copy_payload(driver, "feed_rejections", chunk.rejections, REJECTION_COLUMNS)
