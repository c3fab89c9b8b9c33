"""Raising warnings and leads from the records of a feed chunk, in bulk, in the chunk's
transaction.

A hit is one record firing one rule. Hits on a registered household raise a warning (预警)
on it; hits on a person the registry does not hold raise a lead (线索) for the area the
record named. One warning per household and rule (one lead per person and rule) is active
at a time: the active ones are locked first, the missing ones inserted (a concurrent worker's
insert is found again by the next round), then every hit is attached as an event. New ones
move the area figures and every one written goes into the change feed.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from services.monitoring.warnings import figures
from services.monitoring.warnings.driver import driver_connection

ENTITY = "department_warning"
Kind = Literal["warning", "lead"]
# The column a kind is keyed by, and its SQL type. Kinds and columns are written into the SQL
# (a fixed list, never input) so the planner sees the partial unique indexes' predicates.
KEYS: dict[Kind, tuple[str, str]] = {
    "warning": ("household_id", "uuid"),
    "lead": ("person_number_index", "bytea"),
}
ACTIVE_STATES = "('open', 'acknowledged')"
ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Hit:
    """One record firing one rule."""

    kind: Kind
    key: uuid.UUID | bytes  # the household (warning) or the person's blind index (lead)
    area_code: str
    rule_id: uuid.UUID
    rule_code: str
    rule_version_id: int
    risk_type: str
    source: str
    event_type: str
    record_id: int
    event_date: date
    amount: Decimal | None
    person_index: bytes
    person_cipher: bytes
    person_masked: str
    person_name: str


@dataclass
class Raised:
    warnings: int = 0
    leads: int = 0
    events: int = 0
    figures: Counter[tuple[str, int, str]] = field(default_factory=Counter)


async def raise_hits(session: AsyncSession, hits: Iterable[Hit], year: int) -> Raised:
    """Raise or extend a warning (lead) for every (key, rule) hit; attach each hit."""
    groups: dict[Kind, dict[tuple[uuid.UUID | bytes, uuid.UUID], list[Hit]]] = {
        "warning": defaultdict(list),
        "lead": defaultdict(list),
    }
    for hit in hits:
        groups[hit.kind][(hit.key, hit.rule_id)].append(hit)
    raised = Raised()
    driver = await driver_connection(session)
    for kind, grouped in groups.items():
        if grouped:
            await _raise_kind(driver, kind, grouped, year, raised)
    await figures.bump_many(session, raised.figures)
    return raised


async def _raise_kind(
    driver: asyncpg.Connection,
    kind: Kind,
    grouped: dict[tuple[uuid.UUID | bytes, uuid.UUID], list[Hit]],
    year: int,
    raised: Raised,
) -> None:
    ids: dict[tuple[uuid.UUID | bytes, uuid.UUID], uuid.UUID] = {}
    created: list[tuple[str, str, int]] = []
    new_keys: set[tuple[uuid.UUID | bytes, uuid.UUID]] = set()
    new_areas: Counter[str] = Counter()
    missing = sorted(grouped)
    for _ in range(ROUNDS):
        for warning_id, key, rule_id in await _lock_active(driver, kind, missing):
            ids[(key, rule_id)] = warning_id
        missing = [key for key in missing if key not in ids]
        if not missing:
            break
        for warning_id, key, rule_id, area in await _insert(driver, kind, missing, grouped):
            ids[(key, rule_id)] = warning_id
            new_keys.add((key, rule_id))
            created.append((str(warning_id), area, 1))
            new_areas[area] += 1
        missing = [key for key in missing if key not in ids]
        if not missing:
            break
    if missing:
        raise RuntimeError("warnings kept changing under the chunk; it will be retried")
    extended = [(ids[key], hits) for key, hits in grouped.items() if key not in new_keys]
    updated = await _extend(driver, extended)
    raised.events += await _attach(driver, ids, grouped)
    raised.figures.update(figures.raised(kind, new_areas, year))
    if kind == "warning":
        raised.warnings += len(created)
    else:
        raised.leads += len(created)
    await _record_changes(driver, "create", created)
    await _record_changes(driver, "update", updated)


async def _lock_active(
    driver: asyncpg.Connection, kind: Kind, keys: list[tuple[uuid.UUID | bytes, uuid.UUID]]
) -> list[tuple[uuid.UUID, uuid.UUID | bytes, uuid.UUID]]:
    column, sql_type = KEYS[kind]
    rows = await driver.fetch(
        f"""
        SELECT w.id, w.{column} AS key, w.rule_id
        FROM department_warnings w
        JOIN unnest($1::{sql_type}[], $2::uuid[]) AS k(key, rule_id)
          ON w.{column} = k.key AND w.rule_id = k.rule_id
        WHERE w.kind = '{kind}' AND w.state IN {ACTIVE_STATES}
        ORDER BY w.id
        FOR UPDATE OF w
        """,
        [key for key, _ in keys],
        [rule_id for _, rule_id in keys],
    )
    return [(row["id"], row["key"], row["rule_id"]) for row in rows]


async def _insert(
    driver: asyncpg.Connection,
    kind: Kind,
    keys: list[tuple[uuid.UUID | bytes, uuid.UUID]],
    grouped: dict[tuple[uuid.UUID | bytes, uuid.UUID], list[Hit]],
) -> list[tuple[uuid.UUID, uuid.UUID | bytes, uuid.UUID, str]]:
    column, _ = KEYS[kind]
    firsts = [min(grouped[key], key=lambda hit: (hit.event_date, hit.record_id)) for key in keys]
    summaries = [_summary(grouped[key]) for key in keys]
    rows = await driver.fetch(
        f"""
        INSERT INTO department_warnings (
            id, kind, area_code, household_id, rule_id, rule_code, risk_type, source, event_type,
            person_number_index, person_number_cipher, person_number_masked, person_name,
            state, event_count, first_event_on, last_event_on, largest_amount, version)
        SELECT gen_random_uuid(), $1, u.area_code, u.household_id, u.rule_id, u.rule_code,
               u.risk_type, u.source, u.event_type, u.person_number_index,
               u.person_number_cipher, u.person_number_masked, u.person_name, 'open',
               u.event_count, u.first_event_on, u.last_event_on, u.largest_amount, 1
        FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[],
                    $8::text[], $9::bytea[], $10::bytea[], $11::text[], $12::text[],
                    $13::int[], $14::date[], $15::date[], $16::numeric[])
             WITH ORDINALITY AS u(area_code, household_id, rule_id, rule_code, risk_type,
                                  source, event_type, person_number_index,
                                  person_number_cipher, person_number_masked, person_name,
                                  event_count, first_event_on, last_event_on, largest_amount, n)
        ORDER BY u.n
        ON CONFLICT ({column}, rule_id) WHERE kind = '{kind}' AND state IN {ACTIVE_STATES}
        DO NOTHING
        RETURNING id, {column} AS key, rule_id, area_code
        """,
        kind,
        [hit.area_code for hit in firsts],
        [hit.key if kind == "warning" else None for hit in firsts],
        [hit.rule_id for hit in firsts],
        [hit.rule_code for hit in firsts],
        [hit.risk_type for hit in firsts],
        [hit.source for hit in firsts],
        [hit.event_type for hit in firsts],
        [hit.person_index for hit in firsts],
        [hit.person_cipher for hit in firsts],
        [hit.person_masked for hit in firsts],
        [hit.person_name for hit in firsts],
        [summary[0] for summary in summaries],
        [summary[1] for summary in summaries],
        [summary[2] for summary in summaries],
        [summary[3] for summary in summaries],
    )
    return [(row["id"], row["key"], row["rule_id"], row["area_code"]) for row in rows]


async def _extend(
    driver: asyncpg.Connection, extended: list[tuple[uuid.UUID, list[Hit]]]
) -> list[tuple[str, str, int]]:
    """Add the hits' count, dates and amounts to active warnings found locked."""
    if not extended:
        return []
    summaries = [_summary(hits) for _, hits in extended]
    rows = await driver.fetch(
        """
        UPDATE department_warnings w SET
            event_count = w.event_count + u.event_count,
            first_event_on = LEAST(w.first_event_on, u.first_event_on),
            last_event_on = GREATEST(w.last_event_on, u.last_event_on),
            largest_amount = GREATEST(w.largest_amount, u.largest_amount),
            version = w.version + 1,
            updated_at = now()
        FROM unnest($1::uuid[], $2::int[], $3::date[], $4::date[], $5::numeric[])
             AS u(id, event_count, first_event_on, last_event_on, largest_amount)
        WHERE w.id = u.id
        RETURNING w.id, w.area_code, w.version
        """,
        [warning_id for warning_id, _ in extended],
        [summary[0] for summary in summaries],
        [summary[1] for summary in summaries],
        [summary[2] for summary in summaries],
        [summary[3] for summary in summaries],
    )
    return [(str(row["id"]), row["area_code"], row["version"]) for row in rows]


async def _attach(
    driver: asyncpg.Connection,
    ids: dict[tuple[uuid.UUID | bytes, uuid.UUID], uuid.UUID],
    grouped: dict[tuple[uuid.UUID | bytes, uuid.UUID], list[Hit]],
) -> int:
    events = [(ids[key], hit) for key, hits in grouped.items() for hit in hits]
    await driver.execute(
        """
        INSERT INTO department_warning_events (warning_id, record_id, rule_version_id,
                                               event_date, amount)
        SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::date[], $5::numeric[])
        ON CONFLICT DO NOTHING
        """,
        [warning_id for warning_id, _ in events],
        [hit.record_id for _, hit in events],
        [hit.rule_version_id for _, hit in events],
        [hit.event_date for _, hit in events],
        [hit.amount for _, hit in events],
    )
    return len(events)


async def _record_changes(
    driver: asyncpg.Connection, operation: str, rows: list[tuple[str, str, int]]
) -> None:
    """The change-feed rows of the warnings written: what the kit's `record_changes` does, in
    one array statement (its executemany costs about 30 us a row, too much for a million-record
    batch)."""
    if not rows:
        return
    await driver.execute(
        """
        INSERT INTO changes (entity, entity_id, operation, area_code, version)
        SELECT $1, entity_id, $2, area_code, version
        FROM unnest($3::text[], $4::text[], $5::int[]) AS u(entity_id, area_code, version)
        """,
        ENTITY,
        operation,
        [entity_id for entity_id, _, _ in rows],
        [area_code for _, area_code, _ in rows],
        [version for _, _, version in rows],
    )


def _summary(hits: list[Hit]) -> tuple[int, date, date, Decimal | None]:
    amounts = [hit.amount for hit in hits if hit.amount is not None]
    return (
        len(hits),
        min(hit.event_date for hit in hits),
        max(hit.event_date for hit in hits),
        max(amounts) if amounts else None,
    )
