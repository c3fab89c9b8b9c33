"""Where a feed record's PostgreSQL CPU goes, phase by phase: the CPU time of the worker's own
backend (from /proc/<pid>/schedstat, nanoseconds) around each step of a chunk's write, per
record, for a batch processed in-process by `process_pending` against the benchmark registry;
and, with `--profile FILE`, a cProfile of the app's event loop thread (the checks of a chunk
run in a worker process, or on another thread with `--prepare-processes 0`, and are not in it).

`python -m bench.feeds_phases --records 50000` (the registry must be loaded:
`python -m bench.feeds_registry`). Linux only (reads /proc). Figures (`bump_new`) run inside
`raise_hits`: the table lists both, and the total counts them once.
"""

from __future__ import annotations

import os

os.environ["DATABASE_PREFIX"] = "dixian_bench_feeds_"  # see bench/feeds_registry.py
os.environ.setdefault("LOG_LEVEL", "WARNING")

import argparse
import asyncio
import cProfile
import functools
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from bench import feeds_data, feeds_registry
from bench.feeds_bench import reset
from bench.feeds_cpu import push_batch
from services.common.database import Database
from services.monitoring.feeds import matching, processing, staging, worker
from services.monitoring.warnings import figures

# (module, function): the steps of a chunk, looked up through their module when called.
PHASES: list[tuple[Any, str]] = [
    (matching, "write_records"),
    (processing, "raise_hits"),
    (figures, "bump_new"),
    (matching, "write_rejections"),
    (staging, "load"),
    (staging, "discard"),
    (processing, "record_audit"),
]
NESTED = {"bump_new"}  # inside raise_hits


class BackendClock:
    """CPU nanoseconds of the worker's backend, and wall nanoseconds, by phase."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.started = 0  # the backend's CPU when the worker took its connection
        self.by_phase: Counter[str] = Counter()
        self.wall_by_phase: Counter[str] = Counter()

    def now(self) -> int:
        if self.pid is None:
            return 0
        with open(f"/proc/{self.pid}/schedstat") as stat:
            return int(stat.read().split()[0])

    def timed(self, name: str, step: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        @functools.wraps(step)
        async def timed_step(*args: Any, **kwargs: Any) -> Any:
            before, wall = self.now(), time.perf_counter_ns()
            try:
                return await step(*args, **kwargs)
            finally:
                self.by_phase[name] += self.now() - before
                self.wall_by_phase[name] += time.perf_counter_ns() - wall

        return timed_step

    def install(self) -> None:
        for module, name in PHASES:
            setattr(module, name, self.timed(name, getattr(module, name)))
        own_connection = worker._own_connection

        @asynccontextmanager
        async def with_backend_pid(database: Database) -> AsyncIterator[Any]:
            async with own_connection(database) as sessions:
                async with sessions() as session:
                    raw = await (await session.connection()).get_raw_connection()
                    driver = raw.driver_connection
                    assert driver is not None
                    self.pid = driver.get_server_pid()
                    await session.commit()
                self.started = self.now()
                yield sessions

        worker._own_connection = with_backend_pid


async def run(records: int, profile: str | None, prepare_processes: int) -> None:
    from services.monitoring.app import build_app
    from services.monitoring.feeds.preparation import Preparer

    settings = feeds_registry.prepare()
    await reset(settings)
    data = feeds_data.generate(records)
    app = build_app()
    clock = BackendClock()
    clock.install()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
        location, feed = await push_batch(client, data.body, "client:bench-phases")
        preparer = Preparer(prepare_processes)
        await preparer.start()
        profiler = cProfile.Profile()
        wall, app_cpu = time.perf_counter(), time.process_time()
        if profile:
            profiler.enable()
        await worker.process_pending(app, preparer)
        backend = clock.now() - clock.started
        if profile:
            profiler.disable()
            profiler.dump_stats(profile)
        wall, app_cpu = time.perf_counter() - wall, time.process_time() - app_cpu
        batch = (await client.get(location, headers=feed)).json()
        await preparer.close()
    await app.state.database.dispose()
    assert batch["state"] == "done", batch
    print(f"{records} records in {wall:.2f} s; app CPU {app_cpu / records * 1e6:.1f} us a record")
    print("us a record: the worker backend's CPU, and the wall time (the rest is waiting)")
    for name, nanoseconds in clock.by_phase.most_common():
        note = "  (in raise_hits)" if name in NESTED else ""
        cpu, walled = nanoseconds / records / 1e3, clock.wall_by_phase[name] / records / 1e3
        print(f"  {name:28s} {cpu:6.1f} {walled:6.1f}{note}")
    measured = sum(ns for name, ns in clock.by_phase.items() if name not in NESTED)
    walled = sum(ns for name, ns in clock.wall_by_phase.items() if name not in NESTED)
    other, other_wall = (backend - measured) / records / 1e3, (wall * 1e9 - walled) / records / 1e3
    print(f"  {'other (batch row, commits)':28s} {other:6.1f} {other_wall:6.1f}")
    print(f"  {'total':28s} {backend / records / 1e3:6.1f} {wall / records * 1e6:6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--profile", help="write a cProfile of the event loop thread here")
    parser.add_argument("--prepare-processes", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(run(args.records, args.profile, args.prepare_processes))


if __name__ == "__main__":
    main()
