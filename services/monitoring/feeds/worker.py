"""The batch worker: claims queued or interrupted batches and processes them chunk by chunk.

Claiming happens in a short transaction: pending batches are read `FOR UPDATE SKIP LOCKED`,
and the first whose advisory lock can be taken is marked `processing`. The lock is a session
lock on the worker's own connection: it stays held while the chunks are processed, each in its
own transaction with its checkpoint, and goes away when the worker lets go or its connection
dies. So replicas never process the same batch at once, and a batch interrupted by a crash or
a restart is picked up by the next worker from its last committed chunk, without duplicates.

While one chunk is written, the next ones are checked and encoded in worker processes or on a
thread (`preparation`), so the checks and PostgreSQL work side by side.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from services.common.business_time import business_today
from services.common.database import Database
from services.monitoring.codes import repository as codes
from services.monitoring.codes.book import CodeBook
from services.monitoring.feeds import processing, repository, staging
from services.monitoring.feeds.encoding import EncodedChunk
from services.monitoring.feeds.preparation import CheckerSpec, Preparer
from services.monitoring.feeds.settings import feed_settings
from services.monitoring.models import FeedBatch
from services.monitoring.warnings.rules.evaluation import RuleSet
from services.monitoring.warnings.rules.repository import versions_by_ids

logger = logging.getLogger("dixian.feeds")
Sessions = async_sessionmaker[AsyncSession]


async def process_pending(app: FastAPI, preparer: Preparer | None = None) -> int:
    """Process every queued or interrupted batch no other worker holds, one after the other;
    the number of batches taken. A batch that fails is tried again on a later call. Chunks
    are checked by `preparer` (on a thread when None)."""
    taken: set[uuid.UUID] = set()
    preparer = preparer or Preparer()
    async with _own_connection(app.state.database) as sessions:
        while (batch_id := await _claim(sessions, taken)) is not None:
            taken.add(batch_id)
            try:
                await _run(app, sessions, preparer, batch_id)
            finally:
                async with sessions() as session:
                    await repository.unlock_batch(session, batch_id)
                    await session.commit()
    return len(taken)


@asynccontextmanager
async def _own_connection(database: Database) -> AsyncIterator[Sessions]:
    """Sessions on one connection of their own, which the advisory locks belong to (tests
    bind the app to one connection already)."""
    if isinstance(database.bind, AsyncConnection):
        yield database.sessionmaker
        return
    async with database.bind.connect() as connection:
        yield async_sessionmaker(connection, expire_on_commit=False)


async def _claim(sessions: Sessions, taken: set[uuid.UUID]) -> uuid.UUID | None:
    async with sessions() as session:
        for batch_id in await repository.pending_batches(session, skip=taken):
            if await repository.try_lock_batch(session, batch_id):
                batch = await session.get(FeedBatch, batch_id)
                assert batch is not None
                batch.state = "processing"
                batch.started_at = batch.started_at or datetime.now(UTC)
                await session.commit()
                return batch_id
        await session.commit()
    return None


async def _run(app: FastAPI, sessions: Sessions, preparer: Preparer, batch_id: uuid.UUID) -> None:
    ahead: deque[asyncio.Future[EncodedChunk]] = deque()
    try:
        async with sessions() as session:
            batch = await session.get(FeedBatch, batch_id)
            assert batch is not None
            rules = RuleSet(await versions_by_ids(session, batch.rule_version_ids))
            spec = await _spec(app, session, batch, rules)
            start, total = batch.chunks_done, batch.chunks_total
            if start >= total:  # every chunk was committed; only the state was left behind
                batch.state, batch.finished_at = "done", datetime.now(UTC)
                await session.commit()
                return
            submitted = start
            while submitted < min(total, start + preparer.depth):
                ahead.append(await _submit(session, preparer, spec, batch_id, submitted))
                submitted += 1
            await session.commit()
        for chunk_no in range(start, total):
            encoded = await ahead.popleft()
            async with sessions() as session:
                batch = await session.get(FeedBatch, batch_id, with_for_update=True)
                assert batch is not None and batch.chunks_done == chunk_no
                if submitted < total:
                    ahead.append(await _submit(session, preparer, spec, batch_id, submitted))
                    submitted += 1
                await processing.write(session, batch, encoded)
                await session.commit()
    except Exception as exc:
        logger.exception("feed batch %s: processing failed", batch_id)
        await _failed(app, sessions, batch_id, exc)
    finally:
        for following in ahead:  # what was prepared ahead of a failure is thrown away
            with suppress(BaseException):
                await following


async def _submit(
    session: AsyncSession, preparer: Preparer, spec: CheckerSpec, batch_id: uuid.UUID, chunk_no: int
) -> asyncio.Future[EncodedChunk]:
    """Chunk `chunk_no` read and sent off to be prepared; its future."""
    chunk = await staging.load(session, batch_id, chunk_no)
    if chunk is None:
        raise RuntimeError(f"the staged chunk {chunk_no} is missing")
    return asyncio.ensure_future(preparer(spec, batch_id, chunk))


async def _failed(app: FastAPI, sessions: Sessions, batch_id: uuid.UUID, exc: Exception) -> None:
    """Count the failed try; after the last allowed one the batch is `failed`. The message
    names the error's kind only (an error's text may quote a record)."""
    async with sessions() as session:
        batch = await session.get(FeedBatch, batch_id, with_for_update=True)
        assert batch is not None
        batch.attempts += 1
        batch.error = (
            f"Processing stopped at chunk {batch.chunks_done} ({type(exc).__name__}); "
            f"try {batch.attempts} of {feed_settings(app).max_attempts}."
        )
        if batch.attempts >= feed_settings(app).max_attempts:
            batch.state = "failed"
            batch.finished_at = datetime.now(UTC)
        await session.commit()


async def _spec(
    app: FastAPI, session: AsyncSession, batch: FeedBatch, rules: RuleSet
) -> CheckerSpec:
    book: CodeBook | None = getattr(app.state, "code_book", None)
    if book is None:
        book = CodeBook(await codes.all_codes(session))
        app.state.code_book = book
    event_types: dict[str, set[str]] = {source: set() for source in book.lists["feed_source"]}
    for code in book.lists["feed_event_type"].values():
        if code.parent_code in event_types:
            event_types[code.parent_code].add(code.code)
    settings = app.state.settings
    return CheckerSpec(
        data_keys=settings.data_keys,
        data_key_current=settings.data_key_current,
        blind_index_key=settings.blind_index_key,
        event_types={source: frozenset(types) for source, types in event_types.items()},
        client_area=batch.area_code,
        default_source=batch.source,
        rules=rules,
        today=business_today(),
        format=batch.format,  # type: ignore[arg-type]
        header=tuple(batch.csv_header or ()),
    )


class FeedWorker:
    """The app's own worker: processes pending batches, then waits for a new batch (`wake`)
    or the poll interval, whichever comes first."""

    def __init__(self, app: FastAPI, poll_seconds: float, preparer: Preparer) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.preparer = preparer
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="feed-worker")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        await self.preparer.close()

    async def _loop(self) -> None:
        try:
            await self.preparer.start()
        except Exception:
            logger.exception("feed worker: the preparing processes did not start; retrying")
        while True:
            self._wake.clear()
            try:
                await process_pending(self.app, self.preparer)
            except Exception:
                logger.exception("feed worker: the queue could not be worked; retrying")
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)


@asynccontextmanager
async def feed_worker(app: FastAPI) -> AsyncIterator[None]:
    """The lifespan hook: the worker runs while the app does (unless disabled)."""
    settings = feed_settings(app)
    if not settings.worker_enabled:
        yield
        return
    worker = FeedWorker(app, settings.poll_seconds, Preparer(settings.prepare_processes))
    app.state.feed_worker = worker
    worker.start()
    try:
        yield
    finally:
        await worker.stop()
