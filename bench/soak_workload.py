"""The soak test's mixed workload, at a fixed offered rate for a fixed time: field devices
pushing batches of operations, village officers reading their household lists, county and
city officials reading the indicators, a department pushing a batch of records now and then;
all through the gateway.

Requests are sent when due whatever the answers (open loop), and a latency counts from when
the request was due, so a server that falls behind shows in the latency rather than in a
quietly lower load. A device sends its next batch only once the last is answered (as the app
does), its lateness counting in the next batch's latency. An error is any answer that is not
the intended one: a non-2xx status, a push operation not applied, an indicator table with a
service missing, a department batch that does not end `done`, a request still unanswered
when the run ends.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.funds_loopback import LoopbackClient
from bench.soak_seed import CITY, COUNTY, PROVINCE, County, feed_records
from bench.sync_workload import Device

PUSH = "/api/v1/monitoring/sync/push"
HOUSEHOLDS = "/api/v1/monitoring/households"
INDICATORS = "/api/v1/indicators"
FEED = "/api/v1/monitoring/feed-batches"
APPLIED = ("applied", "already_applied")
KINDS = (
    ("field push", "operations"),
    ("household list", "requests"),
    ("indicators", "requests"),
    ("feed push", "requests"),
    ("feed batch", "records"),
)


@dataclass
class Tally:
    """Latencies (seconds, measured part of the run only), units and errors of one kind."""

    unit: str
    latencies: list[float] = field(default_factory=list)
    units: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)


class Soak:
    """The clock of the run and what each kind of request did."""

    def __init__(self, warmup: float, seconds: float, in_flight: int) -> None:
        self.started = time.perf_counter()
        self.measured_from = self.started + warmup
        self.end = self.measured_from + seconds
        self.in_flight = in_flight
        self.tallies = {kind: Tally(unit) for kind, unit in KINDS}
        self.feed_outcomes: Counter[str] = Counter()

    def tally(self, kind: str) -> Tally:
        return self.tallies[kind]

    def record(self, kind: str, due: float, units: int = 1) -> None:
        if due >= self.measured_from:
            tally = self.tally(kind)
            tally.latencies.append(time.perf_counter() - due)
            tally.units += units

    def error(self, kind: str, reason: str, example: str = "") -> None:
        tally = self.tally(kind)
        tally.errors[reason] += 1
        if len(tally.examples) < 3:
            tally.examples.append(f"{reason}: {example[:300]}")


async def paced(
    soak: Soak, kind: str, rate: float, send: Callable[[float], Awaitable[None]], seed: int
) -> None:
    """`send(due)` `rate` times a second until the end, each in its own task."""
    if rate <= 0:
        return
    interval = 1 / rate
    due = soak.started + random.Random(seed).random() * interval
    tasks: set[asyncio.Task[None]] = set()
    while due < soak.end:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if len(tasks) >= soak.in_flight:
            soak.error(kind, "not sent: too many in flight")
        else:
            task = asyncio.create_task(guarded(soak, kind, send(due)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        due += interval
    await asyncio.gather(*tasks)


async def guarded(soak: Soak, kind: str, work: Awaitable[None]) -> None:
    try:
        await work
    except asyncio.CancelledError:
        soak.error(kind, "unanswered when the run ended")
        raise
    except Exception as failure:  # a broken connection or a malformed answer is an error
        soak.error(kind, f"exception {type(failure).__name__}", repr(failure))


async def push_device(
    soak: Soak, client: LoopbackClient, device: Device, interval: float, size: int, resend: float
) -> None:
    """A device's batches every `interval` seconds; now and then an earlier one again."""
    due = soak.started + device.rng.random() * interval
    while due < soak.end:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        batch = device.next_batch(size)
        await guarded(soak, "field push", _push(soak, client, device, batch, due))
        device.sent.append(batch)
        if device.rng.random() < resend:
            again = device.rng.choice(device.sent)
            await guarded(soak, "field push", _push(soak, client, device, again, None))
        due += interval


async def _push(
    soak: Soak,
    client: LoopbackClient,
    device: Device,
    batch: list[dict[str, Any]],
    due: float | None,
) -> None:
    started = time.perf_counter()
    status, body = await client.request("POST", PUSH, device.headers, {"operations": batch})
    if status != 200:
        soak.error("field push", f"HTTP {status}", body.decode(errors="replace"))
        return
    outcomes: list[dict[str, Any]] = json.loads(body)["outcomes"]
    soak.record("field push", started if due is None else due, len(outcomes))
    device.learn(batch, outcomes)
    for outcome in outcomes:
        if outcome["status"] not in APPLIED:
            soak.error("field push", f"operation {outcome['status']}", json.dumps(outcome))


@dataclass
class Readers:
    """Officers' bearer headers: one per village, and the county's and city's officials."""

    villages: dict[str, dict[str, str]]
    county: dict[str, str]
    city: dict[str, str]
    province: dict[str, str]
    feed: dict[str, str]


def list_reader(
    soak: Soak, client: LoopbackClient, registry: County, readers: Readers, seed: int
) -> Callable[[float], Awaitable[None]]:
    """A village officer's household list, first page; a third of the time the second too."""
    rng = random.Random(seed)

    async def send(due: float) -> None:
        village = rng.choice(registry.villages)
        headers = readers.villages[village]
        path = f"{HOUSEHOLDS}?village={village}&limit=50"
        status, body = await client.request("GET", path, headers)
        if status != 200:
            soak.error("household list", f"HTTP {status}", body.decode(errors="replace"))
            return
        page = json.loads(body)
        if not page["items"]:
            soak.error("household list", "empty first page", village)
            return
        soak.record("household list", due)
        if page["next_cursor"] and rng.random() < 1 / 3:
            cursor = urllib.parse.quote(page["next_cursor"], safe="")
            started = time.perf_counter()
            status, body = await client.request("GET", f"{path}&cursor={cursor}", headers)
            if status != 200:
                soak.error("household list", f"HTTP {status}", body.decode(errors="replace"))
                return
            soak.record("household list", started)

    return send


def indicator_reader(
    soak: Soak, client: LoopbackClient, readers: Readers
) -> Callable[[float], Awaitable[None]]:
    """In turn: the city's counties ranked (city viewer), the province's cities (province
    viewer), the county's months of this year (county approver); every service must be in the
    answer. (Not a county's townships: the funds service keeps its figures from the county up
    and answers 422 below, which the gateway reports as funds unavailable.)"""
    from services.common.business_time import business_today

    today = business_today()
    turn = 0
    views = (
        (readers.city, f"{INDICATORS}?area={CITY}&level=county&rank_by=risk_elimination_rate"),
        (readers.province, f"{INDICATORS}?area={PROVINCE}&level=city"),
        (readers.county, f"{INDICATORS}/series?area={COUNTY}&from={today:%Y}-01&to={today:%Y-%m}"),
    )

    async def send(due: float) -> None:
        nonlocal turn
        headers, path = views[turn % len(views)]
        turn += 1
        status, body = await client.request("GET", path, headers)
        if status != 200:
            soak.error("indicators", f"HTTP {status}", body.decode(errors="replace"))
            return
        table = json.loads(body)
        if table["unavailable"]:
            soak.error("indicators", "service missing", f"{path}: {table['unavailable']}")
            return
        if not table["rows"]:
            soak.error("indicators", "no rows", path)
            return
        soak.record("indicators", due)

    return send


def feed_pusher(
    soak: Soak,
    client: LoopbackClient,
    registry: County,
    readers: Readers,
    records: int,
    seed: int,
) -> Callable[[float], Awaitable[None]]:
    """A department's batch of `records` (JSON array), then its progress until it ends."""
    rng = random.Random(seed)

    async def send(due: float) -> None:
        tag = uuid.uuid4().hex[:12]
        batch = feed_records(registry, tag, records, rng)
        headers = {**readers.feed, "Idempotency-Key": f"soak-{tag}"}
        status, body = await client.request("POST", FEED, headers, batch)
        if status != 202:
            soak.error("feed push", f"HTTP {status}", body.decode(errors="replace"))
            return
        soak.record("feed push", due)
        progress = json.loads(body)
        while progress["state"] in ("queued", "processing"):
            await asyncio.sleep(0.5)
            status, body = await client.request("GET", f"{FEED}/{progress['id']}", readers.feed)
            if status != 200:
                soak.error("feed batch", f"HTTP {status}", body.decode(errors="replace"))
                return
            progress = json.loads(body)
        if progress["state"] != "done":
            soak.error("feed batch", f"batch {progress['state']}", json.dumps(progress))
            return
        soak.record("feed batch", due, progress["received"])
        for name in ("matched", "warnings_raised", "leads_raised", "rejected", "duplicates"):
            soak.feed_outcomes[name] += progress.get(name) or 0

    return send
