"""The batch worker: claims queued or interrupted batches and processes them chunk by chunk.

Claiming happens in a short transaction: pending batches are read `FOR UPDATE SKIP LOCKED`,
and the first whose advisory lock can be taken is marked `processing`. The lock is a session
lock on the worker's own connection: it stays held while the chunks are processed, each in its
own transaction with its checkpoint, and goes away when the worker lets go or its connection
dies. So replicas never process the same batch at once, and a batch interrupted by a crash or
a restart is picked up by the next worker from its last committed chunk, without duplicates.

While one chunk is written, the next ones are checked and encoded in worker processes or on a
thread (`preparation`), so the checks and PostgreSQL work side by side. With two connections
(`MONITORING_FEED_WRITE_CONNECTIONS`), consecutive chunks overlap too: a chunk's records are
written and matched on one connection while the chunk before raises its warnings and commits
on the other; the later chunk then waits for that commit before it raises its own warnings,
locks the batch row and moves the checkpoint. So chunks still commit one after the other, in
order, each whole; a chunk whose predecessor fails rolls back with it. The later chunk only
ever waits on the earlier one (on its commit, or on a duplicate record it holds), never the
other way round, so the two cannot deadlock.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, field
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
    count = feed_settings(app).write_connections
    async with _own_connections(app.state.database, count) as connections:
        sessions = connections[0]
        while (batch_id := await _claim(sessions, taken)) is not None:
            taken.add(batch_id)
            try:
                await _run(app, connections, preparer, batch_id)
            finally:
                async with sessions() as session:
                    await repository.unlock_batch(session, batch_id)
                    await session.commit()
    return len(taken)


@asynccontextmanager
async def _own_connections(database: Database, count: int) -> AsyncIterator[list[Sessions]]:
    """Sessions on `count` connections of their own; the first one's hold the advisory locks
    (tests bind the app to one connection already, and get that one)."""
    if isinstance(database.bind, AsyncConnection):
        yield [database.sessionmaker]
        return
    async with AsyncExitStack() as stack:
        connections = [
            await stack.enter_async_context(database.bind.connect()) for _ in range(count)
        ]
        yield [async_sessionmaker(connection, expire_on_commit=False) for connection in connections]


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


async def _run(
    app: FastAPI, connections: list[Sessions], preparer: Preparer, batch_id: uuid.UUID
) -> None:
    prepared: dict[int, asyncio.Future[EncodedChunk]] = {}
    writing: deque[_Writing] = deque()  # chunk transactions under way, oldest first
    try:
        async with connections[0]() as session:
            batch = await session.get(FeedBatch, batch_id)
            assert batch is not None
            rules = RuleSet(await versions_by_ids(session, batch.rule_version_ids))
            spec = await _spec(app, session, batch, rules)
            start, total = batch.chunks_done, batch.chunks_total
            if start >= total:  # every chunk was committed; only the state was left behind
                batch.state, batch.finished_at = "done", datetime.now(UTC)
                await session.commit()
                return
            for chunk_no in range(start, min(total, start + preparer.depth)):
                prepared[chunk_no] = await _submit(session, preparer, spec, batch_id, chunk_no)
            await session.commit()
        feeding = _Feeding(batch_id, preparer, spec, prepared)
        for chunk_no in range(start, total):
            # A connection free for it, and the chunk sent off to be checked (by the chunk
            # `depth` before it, which may still be under way).
            while len(writing) == len(connections) or chunk_no not in prepared:
                await writing.popleft().task
            following = chunk_no + preparer.depth  # read and sent off to be checked meanwhile
            step = _Writing(
                feeding,
                await prepared.pop(chunk_no),
                previous=writing[-1] if writing else None,
                following=following if following < total else None,
            )
            step.start(connections[chunk_no % len(connections)])
            writing.append(step)
        while writing:
            await writing.popleft().task
    except Exception as exc:
        logger.exception("feed batch %s: processing failed", batch_id)
        for step in writing:  # a later chunk rolls back with its failed predecessor
            with suppress(Exception):
                await step.task
        await _failed(app, connections[0], batch_id, exc)
    finally:
        for step in writing:  # stopped from outside (cancelled): roll back what is under way
            step.task.cancel()
            with suppress(BaseException):
                await step.task
        for ahead in prepared.values():  # prepared ahead of a stop: thrown away
            with suppress(BaseException):
                await ahead


@dataclass
class _Feeding:
    """What every chunk of a batch is written with: its checks, and the chunks sent off to be
    checked ahead, by number."""

    batch_id: uuid.UUID
    preparer: Preparer
    spec: CheckerSpec
    prepared: dict[int, asyncio.Future[EncodedChunk]]


@dataclass(eq=False)
class _Writing:
    """One chunk's transaction under way (see the module's docstring for the order kept with
    the chunk before it, `previous`): its records are written once the previous chunk's are,
    its warnings raised and its checkpoint moved once the previous chunk has committed."""

    feeding: _Feeding
    encoded: EncodedChunk
    previous: _Writing | None
    following: int | None  # the chunk to read and send off to be checked on the way
    records_written: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] = field(init=False)

    def start(self, sessions: Sessions) -> None:
        self.task = asyncio.create_task(self._write(sessions))

    async def _write(self, sessions: Sessions) -> None:
        feeding, batch_id = self.feeding, self.feeding.batch_id
        try:
            async with sessions() as session:
                if self.following is not None:
                    feeding.prepared[self.following] = await _submit(
                        session, feeding.preparer, feeding.spec, batch_id, self.following
                    )
                if self.previous is not None:
                    # After the previous chunk's records: a record sent in both then waits
                    # for the previous chunk's commit, never the other way round.
                    await self.previous.records_written.wait()
                written = await processing.write_records(session, batch_id, self.encoded)
                self.records_written.set()
                if self.previous is not None:
                    await self.previous.task  # raises if it failed: this chunk rolls back
                batch = await session.get(
                    FeedBatch, batch_id, with_for_update=True, populate_existing=True
                )
                assert batch is not None and batch.chunks_done == self.encoded.chunk_no
                await processing.finish(session, batch, self.encoded, written)
                await session.commit()
        finally:
            self.records_written.set()  # also when it failed: the next chunk goes on to fail


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
