"""Asking every service for its figures at once, within a deadline.

A service that is down, slow or answering errors leaves its sections empty and is named in
`unavailable`; the answer as a whole never fails and never waits past the deadline. The same
holds for one area's monthly series (`collect_series`), whose rows are keyed by month.

A metric a service names in `current_only` (known for today only, e.g. overdue loans as of a
past day) arrives as None: the indicators built on it are empty rather than wrong.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from services.common.areas import level_of
from services.common.observability import REQUEST_ID_HEADER, current_request_id

SERVICES = ("monitoring", "funds", "employment")
# Funds are allocated to counties (资金下达到县): the funds service keeps no figures below them.
COUNTY_AND_ABOVE = frozenset({"province", "city", "county"})
LEVELS_SERVED = {"funds": COUNTY_AND_ABOVE}
logger = logging.getLogger("dixian.indicators")

# area code (or month, for a series) -> metric -> value; None: not known for that day
Figures = dict[str, dict[str, Decimal | None]]


@dataclass
class Collected:
    by_service: dict[str, Figures] = field(default_factory=dict)
    unavailable: list[str] = field(default_factory=list)
    # Services with no figures at the level asked for (funds below counties): not asked.
    not_applicable: list[str] = field(default_factory=list)
    # Metrics a service knows for today only and left out of every row, by service.
    current_only: dict[str, list[str]] = field(default_factory=dict)


async def collect(
    clients: dict[str, httpx.AsyncClient],
    token: str,
    *,
    area: str,
    level: str,
    year: int,
    deadline: float,
    as_of: date | None = None,
) -> Collected:
    """Every service's figures under `area` at `level` for `year` (as of the end of `as_of`
    when given), or its name in `unavailable` when it did not answer well within `deadline`
    seconds."""
    params: dict[str, str | int] = {"area": area, "level": level, "year": year}
    if as_of is not None:
        params["as_of"] = as_of.isoformat()
    return await _gather(clients, token, "/api/v1/internal/figures", params, deadline, level)


async def collect_series(
    clients: dict[str, httpx.AsyncClient],
    token: str,
    *,
    area: str,
    start: str,
    end: str,
    deadline: float,
) -> Collected:
    """Every service's monthly figures of `area` from `start` to `end` (YYYY-MM), keyed by
    month, under the same deadline."""
    params: dict[str, str | int] = {"area": area, "from": start, "to": end}
    level = level_of(area).value
    path = "/api/v1/internal/figures/series"
    return await _gather(clients, token, path, params, deadline, level)


async def _gather(
    clients: dict[str, httpx.AsyncClient],
    token: str,
    path: str,
    params: dict[str, str | int],
    deadline: float,
    level: str,
) -> Collected:
    collected = Collected()
    asked = []
    for name in SERVICES:
        if level in LEVELS_SERVED.get(name, {level}):
            asked.append(name)
        else:
            collected.not_applicable.append(name)
    tasks = {
        name: asyncio.create_task(_fetch(clients[name], token, path, params)) for name in asked
    }
    done, pending = await asyncio.wait(tasks.values(), timeout=deadline)
    for task in pending:
        task.cancel()
    for name, task in tasks.items():
        if task in done and task.exception() is None:
            collected.by_service[name], collected.current_only[name] = task.result()
        else:
            reason = "deadline" if task in pending else repr(task.exception())
            logger.warning("figures of %s unavailable: %s", name, reason)
            collected.unavailable.append(name)
    return collected


async def _fetch(
    client: httpx.AsyncClient, token: str, path: str, params: dict[str, str | int]
) -> tuple[Figures, list[str]]:
    response = await client.get(
        path,
        params=params,
        headers={"Authorization": f"Bearer {token}", REQUEST_ID_HEADER: current_request_id() or ""},
    )
    response.raise_for_status()
    # Counts arrive as JSON numbers, parsed straight to Decimal; amounts arrive as strings.
    body: dict[str, Any] = response.json(parse_int=Decimal, parse_float=Decimal)
    current_only = list(body.get("current_only", []))
    figures: Figures = {}
    for row in body.get("rows", body.get("months", [])):
        # A metric the service knows for today only is None in every row (unless a row has it).
        values: dict[str, Decimal | None] = dict.fromkeys(current_only)
        # Counts in `figures`; amounts in `figures` (funds) or `amounts` (employment).
        _add_numbers(values, row["figures"])
        _add_numbers(values, row.get("amounts", {}))
        values.update(dict.fromkeys(row.get("current_only", [])))
        figures[row.get("area_code") or row["month"]] = values
    return figures, current_only


def _add_numbers(numbers: dict[str, Decimal | None], figures: dict[str, Any]) -> None:
    """Counts and amounts (amounts as strings); anything else is not a figure."""
    for metric, value in figures.items():
        if type(value) is Decimal:
            numbers[metric] = value
        elif type(value) is str:
            try:
                numbers[metric] = Decimal(value)
            except ArithmeticError:
                continue
