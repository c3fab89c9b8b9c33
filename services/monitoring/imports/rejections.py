"""The rejection report of an import (拒绝明细): every rejected row counted, the first
`REPORT_LIMIT` in row order kept, whatever order the rows are rejected in (a household rejected
at the end of the file rejects its earlier rows then)."""

from __future__ import annotations

import heapq

REPORT_LIMIT = 1000


class Rejections:
    def __init__(self) -> None:
        self.count = 0
        self._kept: list[tuple[int, int, str, str, str]] = []  # max-heap on row, bounded
        self._order = 0

    def add(self, row: int, field_name: str, rule: str, message: str) -> None:
        """Count a rejected row; keep it for the report if it is among the first rows."""
        self.count += 1
        self._order += 1
        entry = (-row, -self._order, field_name, rule, message)
        if len(self._kept) < REPORT_LIMIT:
            heapq.heappush(self._kept, entry)
        elif entry > self._kept[0]:
            heapq.heapreplace(self._kept, entry)

    def report(self) -> list[tuple[int, str, str, str]]:
        """The kept rejections, (row, field, rule, message), in row order."""
        entries = sorted(self._kept, reverse=True)
        return [(-row, field_name, rule, message) for row, _, field_name, rule, message in entries]
