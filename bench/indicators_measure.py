"""What the indicators benchmark measures over loopback: the county table through the gateway
beside each service's own figures route, the table as CSV and XLSX, and a streamed export of
the province's households with the memory of the gateway and monitoring processes sampled
while it runs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.funds_loopback import LoopbackClient
from bench.indicators_setup import PROVINCE, internal_token, token

SERVICES = ("monitoring", "funds", "employment")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def describe(name: str, seconds: list[float]) -> str:
    ms = [value * 1000 for value in seconds]
    return (
        f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {percentile(ms, 0.95):.1f} | "
        f"{percentile(ms, 0.99):.1f} | {max(ms):.1f} |"
    )


def load_average() -> str:
    import os

    return " ".join(f"{value:.2f}" for value in os.getloadavg())


@dataclass
class Latencies:
    by_route: dict[str, list[float]] = field(default_factory=dict)
    # Services the gateway named unavailable (past its deadline), with how many answers.
    degraded: Counter[str] = field(default_factory=Counter)

    def add(self, route: str, seconds: float) -> None:
        self.by_route.setdefault(route, []).append(seconds)

    def table(self) -> str:
        lines = [
            "| route | requests | p50 ms | p95 ms | p99 ms | max ms |",
            "|---|---|---|---|---|---|",
        ]
        lines += [describe(route, values) for route, values in self.by_route.items()]
        return "\n".join(lines)


class Routes:
    """One keep-alive connection per app; uvicorn closes a connection idle for 5 s, which a
    slow round can leave, so a closed connection is opened again and the request resent."""

    def __init__(self, ports: dict[str, int]) -> None:
        self.ports = ports
        self.clients: dict[str, LoopbackClient] = {}

    async def _client(self, name: str) -> LoopbackClient:
        if name not in self.clients:
            self.clients[name] = await LoopbackClient(self.ports[name], connections=1).__aenter__()
        return self.clients[name]

    async def get(self, name: str, path: str, headers: dict[str, str]) -> tuple[float, bytes]:
        for attempt in (1, 2):
            client = await self._client(name)
            started = time.perf_counter()
            try:
                status, body = await client.request("GET", path, headers)
            except (asyncio.IncompleteReadError, ConnectionError):
                await self.clients.pop(name).__aexit__()
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
            return elapsed, body
        raise AssertionError("unreachable")

    async def close(self) -> None:
        for client in self.clients.values():
            await client.__aexit__()


async def indicator_rounds(
    ports: dict[str, int], year: int, requests: int, warmup: int
) -> tuple[Latencies, dict[str, object]]:
    """`requests` rounds after `warmup`: the county table through the gateway as a province
    official, then each service's figures route directly with the gateway's service token,
    one after another, so both see the same machine."""
    query = f"?area={PROVINCE}&level=county&year={year}"
    viewer = token("province_viewer", PROVINCE)
    internal = internal_token()
    routes = Routes(ports)
    latencies = Latencies()
    try:
        first: dict[str, object] = {}
        for round_number in range(warmup + requests):
            elapsed, body = await routes.get("gateway", f"/api/v1/indicators{query}", viewer)
            first = json.loads(body)
            if round_number >= warmup:
                latencies.add("gateway `GET /api/v1/indicators` (county table)", elapsed)
                latencies.degraded.update(first["unavailable"])  # type: ignore[arg-type]
            for name in SERVICES:
                elapsed, _ = await routes.get(name, f"/api/v1/internal/figures{query}", internal)
                if round_number >= warmup:
                    latencies.add(f"{name} `GET /internal/figures` (direct)", elapsed)
        for format in ("csv", "xlsx"):
            elapsed, body = await routes.get(
                "gateway", f"/api/v1/indicators{query}&format={format}", viewer
            )
            latencies.add(f"gateway table as {format.upper()} ({len(body):,} bytes, once)", elapsed)
    finally:
        await routes.close()
    return latencies, first


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB; (0, 0) when it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0, 0
    values = {
        line.split(":")[0]: int(line.split()[1])
        for line in lines
        if line.startswith(("VmRSS", "VmHWM"))
    }
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


@dataclass
class MemorySampler:
    """VmRSS of some processes every `every` seconds, keeping the peak and the samples."""

    pids: dict[str, int]
    every: float = 0.05

    def __post_init__(self) -> None:
        self.peak = dict.fromkeys(self.pids, 0)
        self.start = {name: rss_kib(pid)[0] for name, pid in self.pids.items()}
        self.samples = 0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss_kib(pid)[0])
            self.samples += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.every)

    def stop(self) -> None:
        self._stop.set()


async def export_households(port: int, pids: dict[str, int]) -> list[str]:
    """`GET /api/v1/monitoring/exports/households?format=ndjson` through the gateway as the
    province's system, streamed to the end; lines, bytes, time and memory."""
    import httpx

    headers = token("province_system", PROVINCE)
    sampler = MemorySampler(pids)
    sampling = asyncio.create_task(sampler.run())
    lines = size = 0
    started = time.perf_counter()
    first_byte = None
    try:
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client,
            client.stream(
                "GET",
                "/api/v1/monitoring/exports/households",
                params={"format": "ndjson", "area": PROVINCE},
                headers=headers,
            ) as answer,
        ):
            if answer.status_code == 404:
                return ["- export endpoint not available (404)"]
            if answer.status_code != 200:
                body = await answer.aread()
                return [f"- export answered {answer.status_code}: {body[:300]!r}"]
            async for chunk in answer.aiter_raw():
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                lines += chunk.count(b"\n")
                size += len(chunk)
    finally:
        sampler.stop()
        await sampling
    elapsed = time.perf_counter() - started
    report = [
        f"- {lines:,} households (NDJSON lines), {size / 2**20:,.0f} MiB in {elapsed:.1f} s: "
        f"{lines / elapsed:,.0f} rows/s, {size / 2**20 / elapsed:.1f} MiB/s; first byte after "
        f"{(first_byte or 0) * 1000:.0f} ms"
    ]
    for name, pid in pids.items():
        _, high_water = rss_kib(pid)
        report.append(
            f"- {name} RSS: {sampler.start[name] / 1024:.0f} MiB before, peak during the export "
            f"{sampler.peak[name] / 1024:.0f} MiB ({sampler.samples} samples every "
            f"{sampler.every * 1000:.0f} ms), VmHWM since start {high_water / 1024:.0f} MiB"
        )
    return report
