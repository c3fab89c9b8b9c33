"""Where a feed record's processing time goes: CPU seconds per record of the app (Python, all
its threads, and its worker processes with `--prepare-processes N`) and of PostgreSQL (this
database's backends, from /proc), for a batch pushed and processed in-process by
`process_pending`, against the benchmark registry.

`python -m bench.feeds_cpu --records 50000` (a minute or two; the registry must be loaded:
`python -m bench.feeds_registry`). Linux only (reads /proc).
"""

from __future__ import annotations

import os

os.environ["DATABASE_PREFIX"] = "dixian_bench_feeds_"  # see bench/feeds_registry.py
os.environ.setdefault("LOG_LEVEL", "WARNING")

import argparse
import asyncio
import glob
import json
import time
import uuid
from typing import Any

import httpx

from bench import feeds_data, feeds_registry
from bench.feeds_bench import reset, token
from services.monitoring.feeds.settings import FeedSettings

DEFAULT_CHUNK = FeedSettings.model_fields["chunk_records"].default  # the app's own


def children_cpu_seconds() -> float:
    """User and system CPU of this process's live children (the worker processes)."""
    ticks = 0
    me = str(os.getpid())
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(path) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:  # the parent pid, after the state
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds(database: str) -> float:
    """User and system CPU of the server processes serving `database`."""
    ticks = 0
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(path) as stat, open(path.replace("stat", "cmdline")) as cmdline:
                fields, command = stat.read().split(), cmdline.read()
        except OSError:
            continue
        if database in command:
            ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


async def push_batch(
    client: httpx.AsyncClient, body: bytes, subject: str
) -> tuple[str, dict[str, str]]:
    """POST a batch as a department feed's client (answered 202; processed by the caller):
    the batch's location and the headers to read it with."""
    feed = token("department_feed", feeds_registry.LOW, subject)
    answer = await client.post(
        "/api/v1/feed-batches",
        content=body,
        headers={
            **feed,
            "Content-Type": "application/x-ndjson",
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    assert answer.status_code == 202, answer.text
    return answer.headers["Location"], feed


async def run(records: int, chunk_records: int, prepare_processes: int) -> dict[str, Any]:
    from services.monitoring.app import build_app
    from services.monitoring.feeds.preparation import Preparer
    from services.monitoring.feeds.worker import process_pending

    settings = feeds_registry.prepare()
    await reset(settings)
    data = feeds_data.generate(records)
    app = build_app()
    app.state.feed_settings = FeedSettings(chunk_records=chunk_records)
    database = settings.database_name("monitoring")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
        location, feed = await push_batch(client, data.body, "client:bench-cpu")
        preparer = Preparer(prepare_processes)
        await preparer.start()  # the processes are up before the clock starts
        wall, python, workers, postgres = (
            time.perf_counter(),
            time.process_time(),
            children_cpu_seconds(),
            postgres_cpu_seconds(database),
        )
        await process_pending(app, preparer)
        wall = time.perf_counter() - wall
        python = time.process_time() - python
        workers = children_cpu_seconds() - workers
        postgres = postgres_cpu_seconds(database) - postgres
        batch = (await client.get(location, headers=feed)).json()
        await preparer.close()
    await app.state.database.dispose()
    assert batch["state"] == "done", batch
    return {
        "records": records,
        "chunk_records": chunk_records,
        "prepare_processes": prepare_processes,
        "wall_s": round(wall, 2),
        "records_per_s": round(records / wall),
        "python_cpu_us_per_record": round(python / records * 1e6, 1),
        "worker_processes_cpu_us_per_record": round(workers / records * 1e6, 1),
        "app_cpu_us_per_record": round((python + workers) / records * 1e6, 1),
        "postgres_cpu_us_per_record": round(postgres / records * 1e6, 1),
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--chunk-records", type=int, default=DEFAULT_CHUNK)
    parser.add_argument("--prepare-processes", type=int, default=1)
    args = parser.parse_args()
    result = asyncio.run(run(args.records, args.chunk_records, args.prepare_processes))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
