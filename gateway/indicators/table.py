"""Building the indicator table: one row per area at the level, a total row, ranks."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from gateway.indicators.catalogue import BY_KEY, CATALOGUE, ZERO, Values
from gateway.indicators.sources import Collected


@dataclass
class Row:
    area_code: str
    name: str
    values: dict[str, Decimal | None]
    rank: int | None = None


@dataclass
class Table:
    rows: list[Row]
    total: Row
    unavailable: list[str] = field(default_factory=list)


def build(collected: Collected, names: dict[str, str], area: str, area_name: str) -> Table:
    """Rows for every area that has a name or a figure; the total recomputes ratios from the
    summed counts, never by averaging percentages."""
    codes = sorted(
        set(names) | {code for figures in collected.by_service.values() for code in figures}
    )
    rows = [
        Row(code, names.get(code, code), _values(_figures_of(collected, code))) for code in codes
    ]
    summed: Values = {}
    for service, figures in collected.by_service.items():
        totals: dict[str, Decimal | None] = dict.fromkeys(collected.current_only.get(service, []))
        for metrics in figures.values():
            for metric, value in metrics.items():
                known = totals.get(metric, ZERO)
                totals[metric] = None if known is None or value is None else known + value
        summed[service] = totals
    return Table(rows, Row(area, area_name, _values(summed)), list(collected.unavailable))


def build_series(collected: Collected, months: list[str]) -> list[Row]:
    """One row per month (named by the month) for one area, from figures keyed by month."""
    return [Row(month, month, _values(_figures_of(collected, month))) for month in months]


def _figures_of(collected: Collected, code: str) -> Values:
    """An area's figures by service; its rows already hold None for current-only metrics
    (sources.py), an area a service has no row for gets just those."""
    return {
        service: figures[code]
        if code in figures
        else dict.fromkeys(collected.current_only.get(service, []))
        for service, figures in collected.by_service.items()
    }


def _values(values: Values) -> dict[str, Decimal | None]:
    return {indicator.key: indicator.compute(values) for indicator in CATALOGUE}


def rank(rows: list[Row], key: str) -> None:
    """Standard competition ranking (1, 2, 2, 4) in the indicator's better direction; rows
    without a value are not ranked."""
    indicator = BY_KEY[key]
    ranked = [row for row in rows if row.values.get(key) is not None]
    ranked.sort(key=lambda row: row.values[key], reverse=indicator.higher_is_better)  # type: ignore[arg-type, return-value]
    previous: Decimal | None = None
    for position, row in enumerate(ranked, start=1):
        value = row.values[key]
        row.rank = position if value != previous else ranked[position - 2].rank
        previous = value
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.area_code))
