"""A dependency-free progress line on stderr: `phase  [#####.....]  12/40`."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30


class Progress:
    """One phase's progress; redrawn at most ten times a second, finished with a newline."""

    def __init__(self, label: str, total: int, *, enabled: bool = True, out: TextIO | None = None):
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.enabled = enabled
        self.out = out or sys.stderr
        self._drawn_at = 0.0
        self._draw()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if time.monotonic() - self._drawn_at >= 0.1 or self.done >= self.total:
            self._draw()

    def finish(self, note: str = "") -> None:
        self.done = max(self.done, self.total)
        self._draw(note)
        if self.enabled:
            self.out.write("\n")
            self.out.flush()

    def _draw(self, note: str = "") -> None:
        if not self.enabled:
            return
        self._drawn_at = time.monotonic()
        share = self.done / self.total if self.total else 1.0
        filled = min(WIDTH, int(share * WIDTH))
        bar = "#" * filled + "." * (WIDTH - filled)
        self.out.write(f"\r{self.label:<22} [{bar}] {self.done}/{self.total} {note}".rstrip())
        self.out.flush()
