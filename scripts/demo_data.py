"""`make demo-data`: a realistic demo province (演示数据) through the gateway's public API.

    python -m scripts.demo_data --admin-password ... [--counties 2 --households-per-village 8 ...]

Deterministic for a seed and safe to run again: a second run finds the data and adds nothing.
See README.md, "Demo data (演示数据)".
"""

from __future__ import annotations

import asyncio
import sys

from scripts.demo.api import DemoError
from scripts.demo.generate import generate
from scripts.demo.options import parse


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    try:
        report = asyncio.run(generate(options))
    except DemoError as error:
        print(f"demo data: {error}", file=sys.stderr)
        return 1
    print(f"Demo province {options.province} (seed {options.seed}) holds:")
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
