"""Receiving a batch: the body streams through a splitter into staged chunks (COPY), in one
transaction with the batch row, which names the rule versions in force at that moment.

Idempotency is the batch's own, not the kit's (whose stored responses would hold a whole
body in memory): a batch is unique by (client, Idempotency-Key); the same key with the same
request answers the batch again with `Idempotent-Replayed: true`, with another request 422
`idempotency_key_reused`, and while the first is still streaming 409.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.errors import Conflict, DixianError, InvalidInput
from services.common.history import record_write
from services.monitoring.codes.book import CodeBook
from services.monitoring.feeds import repository, staging
from services.monitoring.feeds.formats import MEDIA_TYPES, Format, Splitter, splitter_for
from services.monitoring.feeds.settings import FeedSettings
from services.monitoring.models import FeedBatch
from services.monitoring.warnings.rules.repository import province_of
from services.monitoring.warnings.rules.service import rules_in_force

ENTITY = "feed_batch"
STAGE_EVERY = 4  # chunks per COPY


class UnsupportedMediaType(DixianError):
    status = 415
    code = "unsupported_media_type"


class BatchTooLarge(DixianError):
    status = 413
    code = "batch_too_large"


def batch_format(content_type: str | None) -> Format:
    media_type = (content_type or "").partition(";")[0].strip().lower()
    found = MEDIA_TYPES.get(media_type)
    if found is None:
        raise UnsupportedMediaType(
            "Send the batch as application/x-ndjson, application/json (an array) or text/csv."
        )
    return found


async def receive_batch(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    book: CodeBook,
    settings: FeedSettings,
    *,
    key: str,
    source: str | None,
) -> tuple[FeedBatch, bool]:
    """The batch, and whether it is a replay of one received before."""
    book.check("feed_source", source, "query.source")
    media_type = batch_format(request.headers.get("content-type"))
    request_digest = hashlib.sha256(
        json.dumps(["POST", request.url.path, request.url.query, media_type]).encode()
    )
    lock = func.hashtextextended(f"feed_batch_key\n{principal.subject}\n{key}", 0)
    locked = await session.scalar(select(func.pg_try_advisory_xact_lock(lock)))
    if not locked:
        raise Conflict(
            "A batch with this Idempotency-Key is still being received; retry later.",
            code="idempotency_request_in_progress",
        )
    existing = await repository.batch_by_key(session, principal.subject, key)
    if existing is not None:
        async for data in _body(request, settings):
            request_digest.update(data)
        if request_digest.digest() != existing.body_sha256:
            raise DixianError(
                "This Idempotency-Key was already used for a different batch.",
                code="idempotency_key_reused",
                status=422,
            )
        return existing, True
    province = province_of(principal.area)
    batch = FeedBatch(
        id=uuid.uuid4(),
        client=principal.subject,
        idempotency_key=key,
        body_sha256=b"",
        area_code=principal.area,
        province_code=province,
        source=source,
        format=media_type,
        state="queued",
        rule_version_ids=[version.id for version in await rules_in_force(session, province)],
    )
    session.add(batch)
    await session.flush()
    splitter = splitter_for(media_type, source_given=source is not None)
    chunks = await _stage_body(request, session, settings, batch, splitter, request_digest)
    batch.body_sha256 = request_digest.digest()
    batch.received = splitter.records
    batch.chunks_total = chunks
    batch.csv_header = getattr(splitter, "header", None)
    if splitter.records == 0:
        raise InvalidInput.for_field("body", "batch_empty", "The batch holds no records.")
    await session.flush()
    await record_write(
        session,
        principal,
        entity=ENTITY,
        entity_id=str(batch.id),
        area_code=batch.area_code,
        version=1,
        action="create",
    )
    return batch, False


async def _stage_body(
    request: Request,
    session: AsyncSession,
    settings: FeedSettings,
    batch: FeedBatch,
    splitter: Splitter,
    digest: hashlib._Hash,
) -> int:
    """Stream, split and stage the body; the number of chunks staged."""
    keyring = request.app.state.keyring
    size = settings.chunk_records
    lines: list[str] = []
    pending: list[staging.StagedChunk] = []
    staged = 0

    async def cut(final: bool) -> None:
        nonlocal lines, pending, staged
        while len(lines) >= size or (final and lines):
            chunk_no = staged + len(pending)
            pending.append(staging.StagedChunk(chunk_no, chunk_no * size + 1, lines[:size]))
            lines = lines[size:]
        if len(pending) >= STAGE_EVERY or (final and pending):
            await staging.stage(session, keyring, batch.id, pending)
            staged += len(pending)
            pending = []

    async for data in _body(request, settings):
        digest.update(data)
        lines.extend(splitter.feed(data))
        if splitter.records > settings.max_batch_records:
            raise BatchTooLarge(f"A batch holds at most {settings.max_batch_records} records.")
        await cut(final=False)
    lines.extend(splitter.finish())
    await cut(final=True)
    return staged


async def _body(request: Request, settings: FeedSettings) -> AsyncIterator[bytes]:
    size = 0
    async for data in request.stream():
        size += len(data)
        if size > settings.max_batch_bytes:
            raise BatchTooLarge(f"A batch body is at most {settings.max_batch_bytes} bytes.")
        if data:
            yield data
