"""Workers on real connections and real commits: two at once never take the same batch, and
the app's own worker (its lifespan hook) picks up a pushed batch by itself; a preparing process
that dies is replaced."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.common.personal_data import Keyring
from services.common.tables import audit_log
from services.monitoring.feeds import processing, staging
from services.monitoring.feeds.preparation import CheckerSpec, Preparer
from services.monitoring.feeds.settings import FeedSettings
from services.monitoring.feeds.staging import SealedChunk
from services.monitoring.feeds.worker import feed_worker, process_pending
from services.monitoring.models import FeedRecord
from services.monitoring.warnings.rules.evaluation import RuleSet
from tests.monitoring.feeds.support import (
    batch_row,
    count,
    ensure_default_rules,
    feed_client,
    numbers,
    push,
    record,
)
from tests.support.identities import TokenFactory

pytestmark = pytest.mark.committing


@pytest.fixture
def default_rules() -> None:
    """Not the rolled-back seeding of the other tests (its uncommitted rows would block the
    real one): `monitoring` seeds the rules for real."""


@pytest.fixture
async def monitoring(committing_apps: dict[str, FastAPI]) -> AsyncIterator[httpx.AsyncClient]:
    app = committing_apps["monitoring"]
    app.state.feed_settings = FeedSettings(chunk_records=3, worker_enabled=True, poll_seconds=30)
    await ensure_default_rules(app)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://monitoring.test"
    ) as client:
        yield client


async def test_two_workers_never_process_the_same_batch(
    monitoring: httpx.AsyncClient, committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = committing_apps["monitoring"]
    batch_ids = []
    for _ in range(3):
        answer = await push(monitoring, feed_client(tokens), [record(n) for n in numbers(7)])
        assert answer.status_code == 202, answer.text
        batch_ids.append(answer.json()["id"])
    taken = await asyncio.gather(process_pending(app), process_pending(app))
    assert sum(taken) == 3
    async with app.state.database.sessionmaker() as session:
        chunks = await session.scalar(
            select(func.count()).where(
                audit_log.c.action == "process", audit_log.c.entity_id.in_(batch_ids)
            )
        )
        records = await session.scalar(select(func.count()).select_from(FeedRecord))
    assert chunks == 3 * 3  # 7 records in chunks of 3, each processed exactly once
    assert records == 21
    for batch_id in batch_ids:
        batch = await monitoring.get(
            f"/api/v1/feed-batches/{batch_id}", headers=feed_client(tokens)
        )
        assert (batch.json()["state"], batch.json()["leads_raised"]) == ("done", 7)


async def test_the_apps_own_worker_picks_up_a_pushed_batch(
    monitoring: httpx.AsyncClient, committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = committing_apps["monitoring"]
    async with feed_worker(app):
        answer = await push(monitoring, feed_client(tokens), [record(n) for n in numbers(4)])
        location = answer.headers["Location"]
        state = answer.json()["state"]
        # The push wakes the worker; no poll interval (30 s here) is waited for.
        for _ in range(200):
            state = (await monitoring.get(location, headers=feed_client(tokens))).json()["state"]
            if state == "done":
                break
            await asyncio.sleep(0.05)
    assert state == "done"
    assert uuid.UUID(answer.json()["id"])


async def test_a_preparing_process_that_dies_is_replaced() -> None:
    """A killed worker process breaks its pool; the chunk is prepared again on a new one."""
    preparer = Preparer(1)
    try:
        await preparer.start()
        executor = preparer._executor
        assert executor is not None
        for process in list(executor._processes.values()):
            assert process.pid is not None
            os.kill(process.pid, signal.SIGKILL)
            process.join()
        keyring = Keyring({"k1": b"d" * 32}, "k1")
        batch_id = uuid.uuid4()
        line = json.dumps(record(numbers(1)[0]), ensure_ascii=False)
        sealed = SealedChunk(0, 1, keyring.encrypt(line, staging._associated_data(batch_id, 0)))
        spec = CheckerSpec(
            data_keys="k1:" + base64.b64encode(b"d" * 32).decode(),
            data_key_current="k1",
            blind_index_key=base64.b64encode(b"b" * 32).decode(),
            event_types={"medical_insurance": frozenset({"inpatient"})},
            client_area=record(numbers(1)[0])["area_code"],
            default_source=None,
            rules=RuleSet([]),
            today=date.today(),
            format="ndjson",
            header=(),
        )
        encoded = await preparer(spec, batch_id, sealed)
        assert (encoded.seen, encoded.valid, encoded.rejected) == (1, 1, 0)
        assert preparer._executor is not executor
    finally:
        await preparer.close()


@pytest.fixture
def two_ahead() -> Iterator[Preparer]:
    """A checking process, so two chunks are prepared ahead: the next one is ready to be
    written while the one before commits."""
    preparer = Preparer(1)
    yield preparer
    preparer.shutdown()


async def test_overlapping_chunks_share_leads_and_see_resent_records(
    monitoring: httpx.AsyncClient,
    committing_apps: dict[str, FastAPI],
    tokens: TokenFactory,
    two_ahead: Preparer,
) -> None:
    """Chunks of 3 on the worker's two connections, each written while the one before
    commits: a person named in every chunk has one lead with an event from each, and a record
    resent in the next chunk is a duplicate."""
    app = committing_apps["monitoring"]
    assert app.state.feed_settings.write_connections == 2
    person, *others = numbers(6)
    first = record(person)
    chunks = [
        [first, record(others[0]), record(others[1])],
        [record(person), dict(first), record(others[2])],
        [record(person), record(others[3]), record(others[4])],
    ]
    answer = await push(monitoring, feed_client(tokens), [one for chunk in chunks for one in chunk])
    assert answer.status_code == 202 and answer.json()["chunks_total"] == 3
    assert await process_pending(app, two_ahead) == 1
    batch = (await monitoring.get(answer.headers["Location"], headers=feed_client(tokens))).json()
    assert (batch["state"], batch["chunks_done"], batch["valid"]) == ("done", 3, 9)
    assert (batch["duplicates"], batch["leads_raised"], batch["events_attached"]) == (1, 6, 8)


async def test_a_chunk_is_rolled_back_with_the_failed_chunk_before_it(
    monitoring: httpx.AsyncClient,
    committing_apps: dict[str, FastAPI],
    tokens: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
    two_ahead: Preparer,
) -> None:
    app = committing_apps["monitoring"]
    answer = await push(monitoring, feed_client(tokens), [record(n) for n in numbers(9)])
    batch_id = answer.json()["id"]
    # Chunk 1 fails as it raises its warnings, once chunk 2's records are written on the
    # other connection.
    chunk_2_written = asyncio.Event()
    write_records, finish = processing.write_records, processing.finish

    async def writing(session: Any, batch: Any, chunk: Any) -> Any:
        written = await write_records(session, batch, chunk)
        if chunk.chunk_no == 2:
            chunk_2_written.set()
        return written

    async def finishing(session: Any, batch: Any, chunk: Any, written: Any) -> None:
        if chunk.chunk_no == 1:
            await asyncio.wait_for(chunk_2_written.wait(), timeout=30)
            raise RuntimeError("boom")
        await finish(session, batch, chunk, written)

    monkeypatch.setattr(processing, "write_records", writing)
    monkeypatch.setattr(processing, "finish", finishing)
    assert await process_pending(app, two_ahead) == 1
    assert chunk_2_written.is_set()
    stopped = await batch_row(app, batch_id)
    assert (stopped.chunks_done, stopped.processed, stopped.attempts) == (1, 3, 1)
    assert stopped.error is not None and "RuntimeError" in stopped.error
    of_batch = FeedRecord.batch_id == uuid.UUID(batch_id)
    assert await count(app, FeedRecord, of_batch) == 3  # chunk 2's went with chunk 1's

    monkeypatch.undo()
    assert await process_pending(app, two_ahead) == 1
    done = (await monitoring.get(answer.headers["Location"], headers=feed_client(tokens))).json()
    assert (done["state"], done["chunks_done"], done["valid"]) == ("done", 3, 9)
    assert (done["duplicates"], done["leads_raised"], done["events_attached"]) == (0, 9, 9)
    assert await count(app, FeedRecord, of_batch) == 9
