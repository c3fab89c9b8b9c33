"""Pushing a batch: accepted at once (202, Location), idempotent by (client, key), in NDJSON,
JSON or CSV; what makes a whole file unreadable is refused before anything is stored."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from services.monitoring.feeds.settings import FeedSettings
from services.monitoring.feeds.worker import process_pending
from services.monitoring.models import FeedBatch, FeedChunk, FeedRecord
from tests.monitoring.cases.support import problem
from tests.monitoring.feeds.support import (
    BATCHES,
    body_of,
    count,
    feed_client,
    numbers,
    push,
    push_and_process,
    record,
)
from tests.support.identities import COUNTY, TokenFactory


async def test_a_batch_is_accepted_at_once_and_processed_by_the_worker(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, feed = apps["monitoring"], feed_client(tokens)
    records = [record(number) for number in numbers(3)]
    async with client_for("monitoring") as client:
        answer = await push(client, feed, records)
        assert answer.status_code == 202, answer.text
        batch = answer.json()
        assert answer.headers["Location"] == f"{BATCHES}/{batch['id']}"
        assert batch["state"] == "queued"
        assert batch["received"] == 3 and batch["processed"] == 0
        assert batch["format"] == "ndjson" and batch["area_code"] == COUNTY
        assert len(batch["rule_version_ids"]) == 14  # the national default set
        assert await count(app, FeedChunk, FeedChunk.batch_id == batch["id"]) == 1
        assert await process_pending(app) == 1
        done = (await client.get(answer.headers["Location"], headers=feed)).json()
    assert done["state"] == "done"
    assert (done["received"], done["processed"], done["valid"], done["rejected"]) == (3, 3, 3, 0)
    assert done["leads_raised"] == 3 and done["matched"] == 0
    assert done["started_at"] is not None and done["finished_at"] is not None
    # The raw records are gone once processed.
    assert await count(app, FeedChunk, FeedChunk.batch_id == batch["id"]) == 0


async def test_a_resent_batch_is_the_same_batch_and_changes_nothing(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, feed = apps["monitoring"], feed_client(tokens)
    records = [record(number) for number in numbers(2)]
    async with client_for("monitoring") as client:
        first = await push(client, feed, records, key="batch-2026-11-01")
        again = await push(client, feed, records, key="batch-2026-11-01")
        assert again.status_code == 202
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["id"] == first.json()["id"]
        assert await count(app, FeedBatch) == 1

        other_body = await push(client, feed, records[:1], key="batch-2026-11-01")
        problem(other_body, 422, "idempotency_key_reused")
        # Another client may use the same key for its own batch.
        other_client = feed_client(tokens, name="county-civil-affairs")
        assert (
            await push(client, other_client, records, key="batch-2026-11-01")
        ).status_code == 202


async def test_json_arrays_and_csv_are_accepted_like_ndjson(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, feed = apps["monitoring"], feed_client(tokens)
    async with client_for("monitoring") as client:
        for fmt in ("json", "csv"):
            records = [record(number) for number in numbers(2)]
            done = await push_and_process(client, app, feed, records, fmt=fmt)
            assert done["format"] == fmt
            assert (done["state"], done["valid"], done["leads_raised"]) == ("done", 2, 2), done
        # A CSV whose records do not name the source takes the batch's.
        rows = [record(number) for number in numbers(1)]
        del rows[0]["source"]
        done = await push_and_process(
            client, app, feed, rows, fmt="csv", source="medical_insurance"
        )
        assert (done["source"], done["valid"]) == ("medical_insurance", 1)
    assert await count(app, FeedRecord) == 5


async def test_unreadable_files_are_refused_whole(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, feed = apps["monitoring"], feed_client(tokens)
    async with client_for("monitoring") as client:
        broken_array = b'[{"record_id": "1"}, {"record_id": '
        problem(
            await push(client, feed, broken_array, fmt="json"),
            422,
            "validation_failed",
            "json_malformed",
        )
        problem(
            await push(client, feed, b'{"a": 1}', fmt="json"),
            422,
            "validation_failed",
            "json_not_array",
        )
        no_columns = b"record_id,name\n1,x\n"
        problem(
            await push(client, feed, no_columns, fmt="csv"),
            422,
            "validation_failed",
            "columns_missing",
        )
        problem(
            await push(client, feed, b"\n\n", fmt="ndjson"), 422, "validation_failed", "batch_empty"
        )
        problem(await push(client, feed, b"a", fmt="text/plain"), 415, "unsupported_media_type")
        unknown = await push(client, feed, body_of([record(numbers(1)[0])]), source="bank")
        problem(unknown, 422, "validation_failed", "code_unknown")
    assert await count(app, FeedBatch) == 0


async def test_only_department_clients_push(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    async with client_for("monitoring") as client:
        for role in (Role.VILLAGE_OFFICER, Role.COUNTY_ADMIN, Role.ADMINISTRATOR):
            headers = tokens.headers(role, COUNTY)
            problem(await push(client, headers, [record(numbers(1)[0])]), 403, "role_not_allowed")
        missing_key = await client.post(
            BATCHES,
            content=b"{}\n",
            headers={**feed_client(tokens), "Content-Type": "application/x-ndjson"},
        )
        problem(missing_key, 422, "validation_failed")
        assert (await client.post(BATCHES, content=b"{}\n")).status_code == 401


async def test_a_batch_over_the_record_cap_is_refused(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    app.state.feed_settings = FeedSettings(max_batch_records=2)
    async with client_for("monitoring") as client:
        records = [record(number) for number in numbers(3)]
        problem(await push(client, feed_client(tokens), records), 413, "batch_too_large")
    assert await count(app, FeedBatch) == 0
