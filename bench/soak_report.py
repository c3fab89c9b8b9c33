"""The soak test's results, as markdown for docs/benchmarks.md: per kind of request the count,
the errors, p50/p95/p99 latency and the throughput; the CPU seconds of each process; the
memory growth of each from the first minute to the last."""

from __future__ import annotations

import argparse
import statistics

from bench.employment_setup import load_average, percentile
from bench.soak_memory import MemoryLog
from bench.soak_workload import Soak


def print_report(
    run: Soak,
    seconds: float,
    cpu: dict[str, float],
    memory: MemoryLog,
    arguments: argparse.Namespace,
    load: str,
) -> int:
    """Prints the results; answers the number of errors."""
    print(
        f"\n## {seconds / 60:.1f} minutes measured after {arguments.warmup:.0f} s of warm-up: "
        f"{arguments.devices} devices offering {arguments.push_rate:g} operations/s in batches "
        f"of {arguments.operations} (resend {arguments.resend:.0%}), {arguments.list_rate:g} "
        f"list reads/s, {arguments.indicator_rate:g} indicator reads/s, a feed batch of "
        f"{arguments.feed_records} records every {arguments.feed_every:g} s; "
        f"{arguments.workers} worker(s) per app, pool {arguments.pool}\n"
    )
    print("| kind | count | errors | p50 | p95 | p99 | max | throughput |")
    print("|---|---|---|---|---|---|---|---|")
    errors = 0
    for kind, tally in run.tallies.items():
        errors += sum(tally.errors.values())
        ms = sorted(value * 1000 for value in tally.latencies)
        if not ms:
            print(f"| {kind} | 0 | {sum(tally.errors.values())} | | | | | |")
            continue
        rate = f"{len(ms) / seconds:,.2f} requests/s"
        if tally.unit != "requests":
            rate = f"{tally.units / seconds:,.1f} {tally.unit}/s in " + rate
        print(
            f"| {kind} | {len(ms):,} | {sum(tally.errors.values())} "
            f"| {statistics.median(ms):,.0f} ms | {percentile(ms, 0.95):,.0f} ms "
            f"| {percentile(ms, 0.99):,.0f} ms | {ms[-1]:,.0f} ms | {rate} |"
        )
    for kind, tally in run.tallies.items():
        for example in tally.examples:
            print(f"  error, {kind}: {example}")
    if run.feed_outcomes:
        print("\n- feed records: " + ", ".join(f"{k} {v:,}" for k, v in run.feed_outcomes.items()))
    print(
        "- CPU seconds over the measured time: "
        + ", ".join(f"{name} {used:.1f}" for name, used in cpu.items())
        + f" (total {sum(cpu.values()):.1f}, {sum(cpu.values()) / seconds:.2f} cores)"
    )
    print(f"- load average before: {load}; after: {load_average()}")
    grown = memory.growth()
    print(
        "- memory growth, mean of the first minute's samples to the last's (MiB): "
        + ", ".join(f"{name} {mib:+.1f}" for name, mib in grown.items())
        + " (PostgreSQL: private memory per backend)"
    )
    return errors
