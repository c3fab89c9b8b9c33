"""Memory of the soak test's processes over time: the resident set (RSS) of each app's process
tree (uvicorn and its workers) and, for PostgreSQL, the backends serving the soak's databases
(their number, RSS and private memory: a backend's RSS also counts the shared buffers it has
touched, which grows with the data it reads and is not a leak), sampled every few seconds;
then the growth of each from the first minute to the last."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncpg

MIB = 1024 * 1024
POSTGRES = "postgres backends"


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    return children


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _private_kib(pid: int) -> int:
    """Private_Clean + Private_Dirty of a process (0 if it is gone)."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0
    return sum(int(line.split()[1]) for line in lines if line.startswith("Private_"))


def tree_rss_mib(pid: int) -> float:
    """RSS of a process and of all its live descendants, MiB."""
    children, tree, frontier = _children(), [pid], [pid]
    while frontier:
        found = children.get(frontier.pop(), [])
        tree.extend(found)
        frontier.extend(found)
    return sum(_status_kib(member, "VmRSS") for member in tree) / 1024


@dataclass
class Sample:
    seconds: float  # since the measured part of the run began
    apps: dict[str, float]  # RSS MiB by app
    backends: int
    backends_rss: float
    backends_private: float


@dataclass
class MemoryLog:
    samples: list[Sample] = field(default_factory=list)

    async def sample(
        self, seconds: float, pids: dict[str, int], admin: asyncpg.Connection, prefix: str
    ) -> Sample:
        rows = await admin.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname LIKE $1 AND pid <> pg_backend_pid()",
            prefix + "%",
        )
        backends = [row["pid"] for row in rows]
        sample = Sample(
            seconds,
            {name: tree_rss_mib(pid) for name, pid in pids.items()},
            len(backends),
            sum(_status_kib(pid, "VmRSS") for pid in backends) / 1024,
            sum(_private_kib(pid) for pid in backends) / 1024,
        )
        self.samples.append(sample)
        return sample

    def growth(self, window: float = 60.0) -> dict[str, float]:
        """MiB from the mean of the first `window` seconds' samples to the last's, per app
        process tree and for a backend's private memory (the mean over the backends: the
        pools open and close connections, which moves the total)."""
        end = self.samples[-1].seconds
        first = [s for s in self.samples if s.seconds <= window]
        last = [s for s in self.samples if s.seconds >= end - window]
        names = list(self.samples[0].apps)
        grown = {
            name: statistics.mean(s.apps[name] for s in last)
            - statistics.mean(s.apps[name] for s in first)
            for name in names
        }
        grown[POSTGRES] = statistics.mean(
            s.backends_private / max(1, s.backends) for s in last
        ) - statistics.mean(s.backends_private / max(1, s.backends) for s in first)
        return grown


def describe(sample: Sample) -> str:
    apps = ", ".join(f"{name} {mib:.0f}" for name, mib in sample.apps.items())
    return (
        f"  {sample.seconds:5.0f} s  RSS MiB: {apps}; {POSTGRES}: {sample.backends}, "
        f"RSS {sample.backends_rss:.0f}, private {sample.backends_private:.0f}"
    )
