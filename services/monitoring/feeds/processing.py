"""Processing one chunk of a batch: `prepare` checks and protects its records (plain Python,
run on a thread), `write` stores them, matches them, raises warnings and leads, keeps the
rejections, and moves the batch's counters and checkpoint — all in the chunk's transaction,
so a chunk is done exactly once or not at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.business_time import business_today
from services.monitoring.feeds import matching, staging
from services.monitoring.feeds.records import RecordChecker, Rejection, ValidRecord
from services.monitoring.models import FeedBatch
from services.monitoring.warnings.raising import Hit, raise_hits
from services.monitoring.warnings.rules.evaluation import UNREGISTERED_KIND, RuleSet

ENTITY = "feed_batch"


@dataclass
class PreparedChunk:
    chunk_no: int
    records: list[ValidRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    seen: int = 0  # records in the chunk (blank lines are not records)


def prepare(checker: RecordChecker, chunk: staging.StagedChunk) -> PreparedChunk:
    prepared = PreparedChunk(chunk.chunk_no)
    for offset, text in enumerate(chunk.lines):
        result = checker.check(chunk.first_line + offset, text)
        if result is None:
            continue
        prepared.seen += 1
        if isinstance(result, Rejection):
            prepared.rejections.append(result)
        else:
            prepared.records.append(result)
    return prepared


def client_of(batch: FeedBatch) -> Principal:
    """The department client the worker writes on behalf of (audit, change feed)."""
    return Principal(subject=batch.client, role=Role.DEPARTMENT_FEED, area=batch.area_code)


async def write(
    session: AsyncSession, batch: FeedBatch, prepared: PreparedChunk, rules: RuleSet
) -> None:
    """Store the chunk's results and move the batch past it; the batch row is locked."""
    written = await matching.write_records(session, batch.id, prepared.records)
    hits = evaluate(prepared.records, written, rules)
    raised = await raise_hits(session, hits, business_today().year)
    await matching.write_rejections(session, batch.id, prepared.rejections)
    await staging.discard(session, batch.id, prepared.chunk_no)
    matched = sum(1 for row in written if row.household_id is not None)
    counts = {
        "processed": prepared.seen,
        "valid": len(prepared.records),
        "duplicates": len(prepared.records) - len(written),
        "matched": matched,
        "warnings_raised": raised.warnings,
        "leads_raised": raised.leads,
        "events_attached": raised.events,
        "rejected": len(prepared.rejections),
    }
    for name, value in counts.items():
        setattr(batch, name, getattr(batch, name) + value)
    batch.chunks_done = prepared.chunk_no + 1
    if batch.chunks_done >= batch.chunks_total:
        batch.state = "done"
        batch.finished_at = datetime.now(UTC)
    await session.flush()
    await record_audit(
        session,
        client_of(batch),
        action="process",
        entity=ENTITY,
        entity_id=str(batch.id),
        area_code=batch.area_code,
        details={"chunk": prepared.chunk_no, **counts},
    )


def evaluate(
    records: list[ValidRecord], written: list[matching.Written], rules: RuleSet
) -> list[Hit]:
    """Every (record, rule) that fires, for the records written (duplicates raise nothing)."""
    by_line = {record.line: record for record in records}
    hits = []
    for row in written:
        record = by_line[row.line]
        candidates = rules.for_event(record.source, record.event_type)
        if not candidates:
            continue
        registered = row.household_id is not None
        kind = row.household_kind or UNREGISTERED_KIND
        for rule in candidates:
            if not rule.holds(
                amount=record.amount,
                kind=kind,
                birth_date=record.person.birth_date,
                on=record.event_date,
            ):
                continue
            hits.append(
                Hit(
                    kind="warning" if registered else "lead",
                    key=row.household_id if row.household_id is not None else record.person.index,
                    area_code=row.household_area or record.area_code,
                    rule_id=rule.rule_id,
                    rule_code=rule.code,
                    rule_version_id=rule.version_id,
                    risk_type=rule.risk_type,
                    source=record.source,
                    event_type=record.event_type,
                    record_id=row.record_id,
                    event_date=record.event_date,
                    amount=record.amount,
                    person_index=record.person.index,
                    person_cipher=record.person.cipher,
                    person_masked=record.person.masked,
                    person_name=record.name,
                )
            )
    return hits
