"""Processing survives interruptions: each chunk commits with its checkpoint, an interrupted
batch resumes from there without duplicates, a batch another worker holds is left alone, and
a batch that keeps failing stops as `failed` until an administrator sends it back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.monitoring.feeds import processing
from services.monitoring.feeds.repository import batch_lock_key
from services.monitoring.feeds.settings import FeedSettings
from services.monitoring.feeds.worker import process_pending
from services.monitoring.models import FeedChunk, FeedRecord, WarningEvent
from tests.monitoring.cases.support import idempotent, problem
from tests.monitoring.feeds.support import (
    BATCHES,
    batch_row,
    count,
    failing_on,
    feed_client,
    numbers,
    push,
    record,
)
from tests.support.identities import TokenFactory


async def five_records_in_three_chunks(
    client: AsyncClient, app: FastAPI, tokens: TokenFactory
) -> str:
    app.state.feed_settings = FeedSettings(chunk_records=2, max_attempts=2)
    answer = await push(client, feed_client(tokens), [record(n) for n in numbers(5)])
    assert answer.status_code == 202 and answer.json()["chunks_total"] == 3
    batch_id: str = answer.json()["id"]
    return batch_id


async def test_an_interrupted_batch_resumes_from_its_checkpoint(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = apps["monitoring"]
    async with client_for("monitoring") as client:
        batch_id = await five_records_in_three_chunks(client, app, tokens)
        # The process stops (a restart, a deploy) while the second chunk is written.
        monkeypatch.setattr(processing, "finish", failing_on({1}, asyncio.CancelledError()))
        with pytest.raises(asyncio.CancelledError):
            await process_pending(app)
        stopped = await batch_row(app, batch_id)
        assert (stopped.state, stopped.chunks_done, stopped.processed) == ("processing", 1, 2)
        assert stopped.attempts == 0  # an interruption is not a failure
        assert await count(app, FeedRecord) == 2
        assert await count(app, FeedChunk) == 2

        monkeypatch.undo()
        assert await process_pending(app) == 1
        done = (await client.get(f"{BATCHES}/{batch_id}", headers=feed_client(tokens))).json()
    assert (done["state"], done["chunks_done"], done["processed"]) == ("done", 3, 5)
    assert (done["valid"], done["duplicates"], done["leads_raised"]) == (5, 0, 5)
    assert await count(app, FeedRecord) == 5
    assert await count(app, WarningEvent) == 5
    assert await count(app, FeedChunk) == 0


async def test_a_failing_batch_is_retried_then_failed_until_sent_back(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = apps["monitoring"]
    async with client_for("monitoring") as client:
        batch_id = await five_records_in_three_chunks(client, app, tokens)
        monkeypatch.setattr(processing, "finish", failing_on({2}, RuntimeError("boom")))
        assert await process_pending(app) == 1
        first = await batch_row(app, batch_id)
        assert (first.state, first.chunks_done, first.attempts) == ("processing", 2, 1)
        assert first.error is not None and "RuntimeError" in first.error
        assert await process_pending(app) == 1
        failed = (await client.get(f"{BATCHES}/{batch_id}", headers=feed_client(tokens))).json()
        assert (failed["state"], failed["attempts"], failed["processed"]) == ("failed", 2, 4)
        assert await process_pending(app) == 0  # failed batches wait for an administrator

        monkeypatch.undo()
        retry = f"{BATCHES}/{batch_id}/retry"
        problem(
            await client.post(retry, headers=idempotent(tokens.county_admin())),
            403,
            "role_not_allowed",
        )
        sent_back = await client.post(retry, headers=idempotent(tokens.administrator()))
        assert sent_back.status_code == 200, sent_back.text
        assert sent_back.json()["state"] == "queued"
        assert await process_pending(app) == 1
        problem(
            await client.post(retry, headers=idempotent(tokens.administrator())),
            409,
            "batch_not_failed",
        )
    done = await batch_row(app, batch_id)
    assert (done.state, done.processed, done.leads_raised) == ("done", 5, 5)
    assert await count(app, FeedRecord) == 5


async def test_a_batch_another_worker_holds_is_left_alone(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    engines: dict[str, AsyncEngine],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    async with client_for("monitoring") as client:
        batch_id = await five_records_in_three_chunks(client, app, tokens)
    async with engines["monitoring"].connect() as other_worker:
        key = batch_lock_key(uuid.UUID(batch_id))
        await other_worker.scalar(select(func.pg_advisory_lock(key)))
        assert await process_pending(app) == 0
        assert (await batch_row(app, batch_id)).state == "queued"
        await other_worker.scalar(select(func.pg_advisory_unlock(key)))
        await other_worker.commit()
    assert await process_pending(app) == 1
    assert (await batch_row(app, batch_id)).state == "done"
