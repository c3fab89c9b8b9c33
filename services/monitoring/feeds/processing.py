"""Processing one chunk of a batch: it arrives checked, protected and encoded (`encoding`, in a
worker process or on a thread); `write_records` stores it and matches it, then `finish` raises
warnings and leads, keeps the rejections, and moves the batch's counters and checkpoint — all
in the chunk's transaction, so a chunk is done exactly once or not at all. The worker runs the
two halves of consecutive chunks side by side on two connections (`worker`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.business_time import business_today
from services.monitoring.feeds import matching, staging
from services.monitoring.feeds.encoding import EncodedChunk
from services.monitoring.models import FeedBatch
from services.monitoring.warnings.raising import raise_hits

ENTITY = "feed_batch"


def client_of(batch: FeedBatch) -> Principal:
    """The department client the worker writes on behalf of (audit, change feed)."""
    return Principal(subject=batch.client, role=Role.DEPARTMENT_FEED, area=batch.area_code)


async def write_records(
    session: AsyncSession, batch_id: uuid.UUID, chunk: EncodedChunk
) -> matching.Written:
    """Store and match the chunk's valid records, staging the rule hits they fire (the first
    half of the chunk's transaction; no lock on the batch yet).

    The chunk's commit does not wait for its WAL to reach the disk: a crash can only lose
    whole chunk transactions, records and checkpoint together, and the batch then resumes
    from the checkpoint that survived (its staged chunks go with the same transactions), so
    nothing is lost or doubled, while the worker saves a disk flush a chunk."""
    await session.execute(text("SET LOCAL synchronous_commit TO off"))
    return await matching.write_records(session, batch_id, chunk)


async def finish(
    session: AsyncSession, batch: FeedBatch, chunk: EncodedChunk, written: matching.Written
) -> None:
    """Raise the staged hits, keep the rejections and move the batch past the chunk (the
    second half; the batch row is locked and every earlier chunk committed)."""
    raised = await raise_hits(session, written.hits, business_today().year)
    await matching.write_rejections(session, chunk)
    await staging.discard(session, batch.id, chunk.chunk_no)
    counts = {
        "processed": chunk.seen,
        "valid": chunk.valid,
        "duplicates": chunk.valid - written.written,
        "matched": written.matched,
        "warnings_raised": raised.warnings,
        "leads_raised": raised.leads,
        "events_attached": raised.events,
        "rejected": chunk.rejected,
    }
    for name, value in counts.items():
        setattr(batch, name, getattr(batch, name) + value)
    batch.chunks_done = chunk.chunk_no + 1
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
        details={"chunk": chunk.chunk_no, **counts},
    )
