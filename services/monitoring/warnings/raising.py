"""Raising warnings and leads from the records of a feed chunk, in bulk, in the chunk's
transaction.

A hit is one record firing one rule. Hits on a registered household raise a warning (预警)
on it; hits on a person the registry does not hold raise a lead (线索) for the area the
record named. One warning per household and rule (one lead per person and rule) is active
at a time: the active ones are locked first, the missing ones inserted (a concurrent worker's
insert is found again by the next round), then every hit is attached as an event. New ones
move the area figures (`figures.bump_new`) and every one written goes into the change feed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.driver import driver_connection
from services.monitoring.warnings import figures

ENTITY = "department_warning"
Kind = Literal["warning", "lead"]
# The column a kind is keyed by (in the warnings and in the hits alike). Kinds and columns are
# written into the SQL (a fixed list, never input) so the planner sees the partial unique
# indexes' predicates.
KEYS: dict[Kind, str] = {"warning": "household_id", "lead": "person_number_index"}
ACTIVE_STATES = "('open', 'acknowledged')"
ROUNDS = 3


@dataclass(slots=True)
class StagedHits:
    """A chunk's hits, staged in `feed_hits` (one row a record firing a rule): how many, and
    the distinct (key, rule) pairs of each kind among them."""

    events: int = 0
    keys: dict[Kind, int] = field(default_factory=dict)


@dataclass
class Raised:
    warnings: int = 0
    leads: int = 0
    events: int = 0


# The temporary table of a chunk's hits on the worker's connection, filled by the statement that
# writes and matches the chunk's records (feeds/matching.py); the warnings are locked,
# inserted, extended and attached from there by set statements.
CREATE_HITS = """
CREATE TEMPORARY TABLE IF NOT EXISTS feed_hits (
    kind text NOT NULL, household_id uuid, person_number_index bytea NOT NULL,
    rule_id uuid NOT NULL, rule_code text NOT NULL, rule_version_id bigint NOT NULL,
    risk_type text NOT NULL, source text NOT NULL, event_type text NOT NULL,
    record_id bigint NOT NULL, event_date date NOT NULL, amount numeric,
    area_code text COLLATE "C" NOT NULL, person_number_cipher bytea NOT NULL,
    person_number_masked text NOT NULL, person_name text NOT NULL
) ON COMMIT DELETE ROWS
"""
HIT_COLUMNS = (
    "kind", "household_id", "person_number_index", "rule_id", "rule_code", "rule_version_id",
    "risk_type", "source", "event_type", "record_id", "event_date", "amount", "area_code",
    "person_number_cipher", "person_number_masked", "person_name",
)  # fmt: skip


async def raise_hits(session: AsyncSession, hits: StagedHits, year: int) -> Raised:
    """Raise or extend a warning (lead) for every (key, rule) of the staged hits; attach each
    hit."""
    raised = Raised(events=hits.events)
    if not hits.events:
        return raised
    driver = await driver_connection(session)
    for kind, wanted in hits.keys.items():
        if wanted:
            await _raise_kind(driver, kind, wanted, raised)
    if raised.warnings or raised.leads:
        await figures.bump_new(driver, year)
    return raised


async def _raise_kind(driver: asyncpg.Connection, kind: Kind, wanted: int, raised: Raised) -> None:
    """`wanted`: the kind's distinct (key, rule) pairs among the hits."""
    column = KEYS[kind]
    found: set[uuid.UUID] = set()
    new: set[uuid.UUID] = set()
    for _ in range(ROUNDS):
        found.update(row["id"] for row in await driver.fetch(_lock_active_sql(kind, column)))
        if len(found) == wanted:
            break
        inserted = [row["id"] for row in await driver.fetch(_insert_sql(kind, column))]
        found.update(inserted)
        new.update(inserted)
        if len(found) == wanted:
            break
    if len(found) != wanted:
        raise RuntimeError("warnings kept changing under the chunk; it will be retried")
    extended = [warning_id for warning_id in found if warning_id not in new]
    if extended:
        await driver.execute(_extend_sql(kind, column), extended)
    await driver.execute(_attach_sql(kind, column))
    if kind == "warning":
        raised.warnings += len(new)
    else:
        raised.leads += len(new)


def _summaries_sql(kind: Kind, column: str) -> str:
    """The hits of a kind, one row per (key, rule): their count, dates and largest amount."""
    return f"""
        SELECT {column} AS key, rule_id, count(*)::int AS event_count,
               min(event_date) AS first_event_on, max(event_date) AS last_event_on,
               max(amount) AS largest_amount
        FROM pg_temp.feed_hits WHERE kind = '{kind}' GROUP BY 1, 2
    """


# The statements below reach the warnings one (key, rule) at a time through LATERAL
# subqueries, which the planner can only run as probes of the partial unique index: the
# per-chunk temporary tables have no statistics, and as a plain join a freshly emptied or
# quickly growing warnings table was sometimes planned as a nested loop over every active
# warning for each hit (a chunk of 2,000 records then took over a second of PostgreSQL).


def _active_sql(kind: Kind, column: str, outer: str, lock: str = "") -> str:
    """The active warning of `outer`'s (key, rule), found through its unique index."""
    return f"""
        SELECT w.id FROM department_warnings w
        WHERE w.{column} = {outer}.{column} AND w.rule_id = {outer}.rule_id
          AND w.kind = '{kind}' AND w.state IN {ACTIVE_STATES}
        {lock}
    """


def _lock_active_sql(kind: Kind, column: str) -> str:
    """The active warnings of the hits' (key, rule) pairs, locked in key order."""
    return f"""
        SELECT w.id
        FROM (SELECT DISTINCT {column}, rule_id FROM pg_temp.feed_hits
              WHERE kind = '{kind}' ORDER BY 1, 2) k
        CROSS JOIN LATERAL ({_active_sql(kind, column, "k", "FOR UPDATE")}) w
    """


def _insert_sql(kind: Kind, column: str) -> str:
    """The missing warnings, from each (key, rule)'s earliest hit with the counts, dates and
    largest amount of all its hits, in key order; their change-feed rows and their notes for
    the figures (`figures.NEW_WARNINGS`) in the same statement. The ones active already
    (locked by this chunk) are left out by the unique index."""
    return f"""
        WITH firsts AS (
            SELECT DISTINCT ON ({column}, rule_id) *,
                   count(*) OVER hits AS event_count, min(event_date) OVER hits AS first_on,
                   max(event_date) OVER hits AS last_on, max(amount) OVER hits AS largest
            FROM pg_temp.feed_hits WHERE kind = '{kind}'
            WINDOW hits AS (PARTITION BY {column}, rule_id)
            ORDER BY {column}, rule_id, event_date, record_id
        ), inserted AS (
            INSERT INTO department_warnings (
                id, kind, area_code, household_id, rule_id, rule_code, risk_type, source,
                event_type, person_number_index, person_number_cipher, person_number_masked,
                person_name, state, event_count, first_event_on, last_event_on, largest_amount,
                version)
            SELECT gen_random_uuid(), '{kind}', area_code, household_id, rule_id, rule_code,
                   risk_type, source, event_type, person_number_index, person_number_cipher,
                   person_number_masked, person_name, 'open', event_count, first_on, last_on,
                   largest, 1
            FROM firsts
            ORDER BY {column}, rule_id
            ON CONFLICT ({column}, rule_id) WHERE kind = '{kind}' AND state IN {ACTIVE_STATES}
            DO NOTHING
            RETURNING id, area_code
        ), created AS (
            INSERT INTO changes (entity, entity_id, operation, area_code, version)
            SELECT '{ENTITY}', id::text, 'create', area_code, 1 FROM inserted
        ), noted AS (
            INSERT INTO pg_temp.feed_new_warnings (kind, area_code)
            SELECT '{kind}', area_code FROM inserted
        )
        SELECT id FROM inserted
    """


def _extend_sql(kind: Kind, column: str) -> str:
    """Add the hits' count, dates and amounts to the active warnings found locked ($1), and
    their change-feed rows."""
    return f"""
        WITH updated AS (
            UPDATE department_warnings w SET
                event_count = w.event_count + s.event_count,
                first_event_on = LEAST(w.first_event_on, s.first_event_on),
                last_event_on = GREATEST(w.last_event_on, s.last_event_on),
                largest_amount = GREATEST(w.largest_amount, s.largest_amount),
                version = w.version + 1,
                updated_at = now()
            FROM ({_summaries_sql(kind, column)}) s
            WHERE w.id = ANY($1::uuid[]) AND w.{column} = s.key AND w.rule_id = s.rule_id
            RETURNING w.id, w.area_code, w.version
        )
        INSERT INTO changes (entity, entity_id, operation, area_code, version)
        SELECT '{ENTITY}', id::text, 'update', area_code, version FROM updated
    """


def _attach_sql(kind: Kind, column: str) -> str:
    """Every hit as an event of its (key, rule)'s active warning, which the chunk holds
    locked or has just inserted."""
    return f"""
        INSERT INTO department_warning_events (warning_id, record_id, rule_version_id,
                                               event_date, amount)
        SELECT w.id, h.record_id, h.rule_version_id, h.event_date, h.amount
        FROM pg_temp.feed_hits h
        CROSS JOIN LATERAL ({_active_sql(kind, column, "h", "LIMIT 1")}) w
        WHERE h.kind = '{kind}'
        ON CONFLICT DO NOTHING
    """
