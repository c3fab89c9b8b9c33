"""Department feed benchmark: a batch of 1,000,000 records against the registry of 3,500,000
people (`bench.feeds_registry`), pushed to a real monitoring process (uvicorn, one worker, its
own feed worker in the lifespan) and processed in the background, beside the raw COPY floor
of the same rows in the same run; and the p95 of a simple GET while idle and while the batch
is processed.

`python -m bench.feeds_bench` (about five minutes with the registry in place; run it in the
background and poll). `--records N` for a smaller batch.
"""

from __future__ import annotations

import os

os.environ["DATABASE_PREFIX"] = "dixian_bench_feeds_"  # see bench/feeds_registry.py
os.environ.setdefault("LOG_LEVEL", "WARNING")

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx

from bench import feeds_data, feeds_registry
from services.common.settings import CommonSettings
from services.monitoring.feeds.settings import FeedSettings

PORT = 18_471
BATCH_FIELDS = (
    "state", "received", "valid", "duplicates", "matched", "warnings_raised", "leads_raised",
    "events_attached", "rejected", "chunks_total",
)  # fmt: skip
BASE = f"http://127.0.0.1:{PORT}"


def token(role: str, area: str, subject: str) -> dict[str, str]:
    from gateway.auth.issuer import TokenIssuer
    from gateway.settings import GatewaySettings
    from services.common.settings import DEV_SIGNING_KEY, DEV_SIGNING_KEY_ID

    issuer = TokenIssuer(
        GatewaySettings(signing_key=DEV_SIGNING_KEY, signing_key_id=DEV_SIGNING_KEY_ID)
    )
    minted, _ = issuer.issue(subject=subject, role=role, area=area, scopes=[], name="bench")
    return {"Authorization": f"Bearer {minted}"}


FEED_TABLES = (
    "feed_batches", "feed_chunks", "feed_records", "feed_rejections", "department_warnings",
    "department_warning_events", "changes",
)  # fmt: skip


async def owner_connection(settings: CommonSettings) -> asyncpg.Connection:
    url = settings.service_database_url("monitoring", driver="postgresql")
    return await asyncpg.connect(url.render_as_string(hide_password=False))


async def reset(settings: CommonSettings) -> None:
    """Empty what earlier runs left (batches, records, warnings, their changes and figures);
    the registry stays. The audit log is append-only and stays too."""
    connection = await owner_connection(settings)
    try:
        await connection.execute(f"TRUNCATE {', '.join(FEED_TABLES)} RESTART IDENTITY")
        await connection.execute("DELETE FROM area_figures WHERE metric LIKE 'department_%'")
        await connection.execute("VACUUM ANALYZE members")
        await connection.execute("VACUUM ANALYZE households")
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


async def copy_floor(settings: CommonSettings, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to COPY the same rows, as parsed columns, into a table without indexes."""
    connection = await owner_connection(settings)
    try:
        await connection.execute("DROP TABLE IF EXISTS bench_feed_floor")
        await connection.execute(
            "CREATE TABLE bench_feed_floor (source text, record_id text, person_number text, "
            "name text, area_code text, event_type text, event_date date, amount numeric, "
            "details jsonb)"
        )
        started = time.perf_counter()
        await connection.copy_records_to_table("bench_feed_floor", records=rows)
        took = time.perf_counter() - started
        await connection.execute("DROP TABLE bench_feed_floor")
        return took
    finally:
        await connection.close()


def start_server(prepare_processes: int, chunk_records: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_PREFIX": feeds_registry.PREFIX,
        "LOG_LEVEL": "WARNING",
        "MONITORING_FEED_POLL_SECONDS": "1",
        "MONITORING_FEED_PREPARE_PROCESSES": str(prepare_processes),
        "MONITORING_FEED_CHUNK_RECORDS": str(chunk_records),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "services.monitoring.app:app", "--port", str(PORT),
         "--no-access-log", "--log-level", "warning"],
        env=env,
    )  # fmt: skip


async def wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(200):
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the monitoring app did not get ready")


async def probe(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], stop: asyncio.Event
) -> list[float]:
    """Latencies (ms) of a simple GET sent one after the other, 20 ms apart, until `stop`."""
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        answer = await client.get(path, headers=headers)
        latencies.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
        await asyncio.sleep(0.02)
    return latencies


def percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
        "max_ms": round(ordered[-1], 1),
    }


async def body_parts(body: bytes, size: int = 1 << 20) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def run(records: int, prepare_processes: int, chunk_records: int) -> dict[str, Any]:
    settings = feeds_registry.prepare()
    registry = await feeds_registry.load(settings)
    await reset(settings)
    data = feeds_data.generate(records)
    floor_s = await copy_floor(settings, data.rows)
    feed = token("department_feed", feeds_registry.LOW, "client:bench-hunan-data-bureau")
    viewer = token("province_viewer", feeds_registry.LOW, "user:bench-viewer")
    simple_get = f"/api/v1/households/{feeds_registry.uuid.UUID(int=feeds_registry.HOUSEHOLD_IDS)}"
    server = start_server(prepare_processes, chunk_records)
    try:
        async with httpx.AsyncClient(base_url=BASE, timeout=None) as client:
            await wait_ready(client)
            stop = asyncio.Event()
            idle_probe = asyncio.create_task(probe(client, simple_get, viewer, stop))
            await asyncio.sleep(15)
            stop.set()
            idle = await idle_probe

            started = time.perf_counter()
            answer = await client.post(
                "/api/v1/feed-batches",
                content=body_parts(data.body),
                headers={
                    **feed,
                    "Content-Type": "application/x-ndjson",
                    "Idempotency-Key": f"bench-{data.tag}",
                },
            )
            accepted = time.perf_counter()
            assert answer.status_code == 202, answer.text
            location = answer.headers["Location"]
            stop = asyncio.Event()
            async with httpx.AsyncClient(base_url=BASE, timeout=None) as other:
                busy_probe = asyncio.create_task(probe(other, simple_get, viewer, stop))
                batch = answer.json()
                while batch["state"] in ("queued", "processing"):
                    await asyncio.sleep(0.5)
                    batch = (await client.get(location, headers=feed)).json()
                done = time.perf_counter()
                stop.set()
                busy = await busy_probe
    finally:
        server.terminate()
        server.wait(timeout=30)
    processing_s = _seconds(batch["started_at"], batch["finished_at"])
    return {
        "records": records,
        "prepare_processes": prepare_processes,
        "chunk_records": chunk_records,
        "body_mb": round(len(data.body) / 1e6, 1),
        "registry_load": registry or "already in place",
        "upload_s": round(accepted - started, 2),
        "upload_records_per_s": round(records / (accepted - started)),
        "processing_s": round(processing_s, 2),
        "processing_records_per_s": round(records / processing_s),
        "accepted_to_done_s": round(done - accepted, 2),
        "end_to_end_records_per_s": round(records / (done - started)),
        "copy_floor_s": round(floor_s, 2),
        "copy_floor_records_per_s": round(records / floor_s),
        "batch": {name: batch[name] for name in BATCH_FIELDS},
        "get_idle": percentiles(idle),
        "get_during_processing": percentiles(busy),
    }


def _seconds(start: str, end: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--prepare-processes", type=int, default=1)
    # The app's own default, as `make run` and a deployment get it.
    default_chunk = FeedSettings.model_fields["chunk_records"].default
    parser.add_argument("--chunk-records", type=int, default=default_chunk)
    args = parser.parse_args()
    result = asyncio.run(run(args.records, args.prepare_processes, args.chunk_records))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
