"""CPU seconds the PostgreSQL backends of one database spend while a benchmark runs.

Backends are found by their process title (`postgres: <user> <database> <host> ...`), so no
query is needed, and sampled every `interval` seconds in a thread: a pool closes its overflow
connections when the load drains, and a closed backend's CPU would otherwise be lost (at most
its last interval is)."""

from __future__ import annotations

import threading
from pathlib import Path

from bench.servers import cpu_seconds


def _backends(database: str) -> list[int]:
    marker = f" {database} ".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and marker in title.replace(b"\0", b" "):
            found.append(int(entry.name))
    return found


class BackendMeter:
    """`with BackendMeter(db) as meter: ...`, then `meter.seconds`."""

    def __init__(self, database: str, interval: float = 0.05) -> None:
        self.database = database
        self.interval = interval
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid in _backends(self.database):
            used = cpu_seconds(pid)
            if used:  # 0: it ended between the listing and the reading
                self._last[pid] = used

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> BackendMeter:
        # Backends alive at the start count from what they had used by then; new ones from 0.
        for pid in _backends(self.database):
            self._first[pid] = self._last[pid] = cpu_seconds(pid)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self._last[pid] - self._first.get(pid, 0.0) for pid in self._last)
