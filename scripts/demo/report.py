"""What the demo province holds after a run: counts by entity, printed at the end."""

from __future__ import annotations

from collections import Counter


class Report(Counter[str]):
    """Counts such as `households`, `cases:township_review`, `projects:accepted`."""

    def lines(self) -> list[str]:
        return [f"  {name:<34} {self[name]:>8}" for name in sorted(self)]
