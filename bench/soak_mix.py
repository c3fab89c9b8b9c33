"""What the soak test drives and what it costs: the jobs of a mix of kinds at given rates, the
CPU of each process over a stretch of time, and, before the mix, each kind alone for a few
seconds to measure the server CPU a unit of it costs (a pushed operation, a list read, an
indicator read, a department record), the figures docs/scaling.md builds on."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from bench.funds_loopback import LoopbackClient
from bench.servers import cpu_seconds, tree_cpu_seconds
from bench.soak_seed import County
from bench.soak_workload import (
    Readers,
    Soak,
    feed_pusher,
    indicator_reader,
    list_reader,
    paced,
    push_device,
)
from bench.sync_workload import Device

POSTGRES = "postgres backends"


@dataclass
class Rates:
    push: float  # operations a second, all devices
    lists: float  # household list reads a second
    indicators: float  # indicator reads a second
    feed_every: float  # seconds between department batches (0: none)


@dataclass
class Mix:
    devices: list[Device]
    registry: County
    readers: Readers
    pushes: LoopbackClient
    lists: LoopbackClient
    indicators: LoopbackClient
    feeds: LoopbackClient
    operations: int  # per pushed batch
    resend: float
    feed_records: int

    def jobs(self, run: Soak, rates: Rates) -> list[Coroutine[Any, Any, None]]:
        jobs: list[Coroutine[Any, Any, None]] = []
        if rates.push:
            interval = len(self.devices) * self.operations / rates.push
            jobs += [
                push_device(run, self.pushes, device, interval, self.operations, self.resend)
                for device in self.devices
            ]
        reader = list_reader(run, self.lists, self.registry, self.readers, 1)
        jobs.append(paced(run, "household list", rates.lists, reader, 1))
        indicators = indicator_reader(run, self.indicators, self.readers)
        jobs.append(paced(run, "indicators", rates.indicators, indicators, 2))
        feeds = feed_pusher(run, self.feeds, self.registry, self.readers, self.feed_records, 3)
        jobs.append(
            paced(run, "feed push", 1 / rates.feed_every if rates.feed_every else 0, feeds, 3)
        )
        return jobs


class CpuMeter:
    """CPU seconds of each app's process tree and of the database backends serving the
    soak's databases (by pid: backends come and go with the pools)."""

    def __init__(self, pids: dict[str, int], admin: Any, prefix: str) -> None:
        self.pids, self.admin, self.prefix = pids, admin, prefix

    async def snapshot(self) -> tuple[dict[str, float], dict[int, float]]:
        rows = await self.admin.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname LIKE $1 AND pid <> pg_backend_pid()",
            self.prefix + "%",
        )
        apps = {name: tree_cpu_seconds(pid) for name, pid in self.pids.items()}
        return apps, {row["pid"]: cpu_seconds(row["pid"]) for row in rows}

    async def since(self, before: tuple[dict[str, float], dict[int, float]]) -> dict[str, float]:
        apps, backends = await self.snapshot()
        used = {name: apps[name] - before[0][name] for name in apps}
        used[POSTGRES] = sum(value - before[1].get(pid, 0.0) for pid, value in backends.items())
        return used


ALONE = (
    ("field push", Rates(push=1, lists=0, indicators=0, feed_every=0)),
    ("household list", Rates(push=0, lists=1, indicators=0, feed_every=0)),
    ("indicators", Rates(push=0, lists=0, indicators=1, feed_every=0)),
    ("feed batch", Rates(push=0, lists=0, indicators=0, feed_every=1)),
)


async def cpu_per_unit(mix: Mix, meter: CpuMeter, rates: Rates, seconds: float) -> int:
    """Each kind alone at its rate of the mix for `seconds` (one department batch), then the
    server CPU per unit, less what the processes spend idle (pool checks, the feed worker's
    polls) over the same time; answers the errors met."""
    print(f"\n## Each kind alone for {seconds:.0f} s: server CPU per unit (ms)\n")
    print(
        "| kind | units | gateway | monitoring | funds | employment | PostgreSQL | all | "
        "p50 latency |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    before, started = await meter.snapshot(), time.perf_counter()
    await asyncio.sleep(seconds)
    idle = {k: v / (time.perf_counter() - started) for k, v in (await meter.since(before)).items()}
    print(
        "| idle (ms a second) | | "
        + " | ".join(f"{1000 * v:.2f}" for v in idle.values())
        + f" | {1000 * sum(idle.values()):.2f} | |"
    )
    errors = 0
    for kind, shares in ALONE:
        alone = Rates(
            push=rates.push * shares.push,
            lists=rates.lists * shares.lists,
            indicators=rates.indicators * shares.indicators,
            feed_every=seconds * shares.feed_every,
        )
        run = Soak(0, seconds, in_flight=1000)
        before, started = await meter.snapshot(), time.perf_counter()
        await asyncio.gather(*mix.jobs(run, alone))
        used = await meter.since(before)
        elapsed = time.perf_counter() - started
        tally = run.tally(kind)
        errors += sum(sum(t.errors.values()) for t in run.tallies.values())
        if not tally.units:
            print(f"| {kind} | 0 | | | | | | | |")
            continue
        per_unit = [
            1000 * max(0.0, value - idle[name] * elapsed) / tally.units
            for name, value in used.items()
        ]
        p50 = statistics.median(tally.latencies) * 1000
        print(
            f"| {kind} ({tally.unit}) | {tally.units:,} | "
            + " | ".join(f"{value:.2f}" for value in per_unit)
            + f" | {sum(per_unit):.2f} | {p50:,.0f} ms |"
        )
    return errors
