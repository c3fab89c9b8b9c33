"""Asking every service for its figures at once, within a deadline.

A service that is down, slow or answering errors leaves its sections empty and is named in
`unavailable`; the answer as a whole never fails and never waits past the deadline.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from services.common.observability import REQUEST_ID_HEADER, current_request_id

SERVICES = ("monitoring", "funds", "employment")
logger = logging.getLogger("dixian.indicators")

Figures = dict[str, dict[str, Decimal]]  # area code -> metric -> value (numbers only)


@dataclass
class Collected:
    by_service: dict[str, Figures] = field(default_factory=dict)
    unavailable: list[str] = field(default_factory=list)


async def collect(
    clients: dict[str, httpx.AsyncClient],
    token: str,
    *,
    area: str,
    level: str,
    year: int,
    deadline: float,
) -> Collected:
    """Every service's figures under `area` at `level` for `year`, or its name in
    `unavailable` when it did not answer well within `deadline` seconds."""
    tasks = {
        name: asyncio.create_task(_fetch(clients[name], token, area=area, level=level, year=year))
        for name in SERVICES
    }
    done, pending = await asyncio.wait(tasks.values(), timeout=deadline)
    for task in pending:
        task.cancel()
    collected = Collected()
    for name, task in tasks.items():
        if task in done and task.exception() is None:
            collected.by_service[name] = task.result()
        else:
            reason = "deadline" if task in pending else repr(task.exception())
            logger.warning("figures of %s unavailable: %s", name, reason)
            collected.unavailable.append(name)
    return collected


async def _fetch(
    client: httpx.AsyncClient, token: str, *, area: str, level: str, year: int
) -> Figures:
    response = await client.get(
        "/api/v1/internal/figures",
        params={"area": area, "level": level, "year": year},
        headers={"Authorization": f"Bearer {token}", REQUEST_ID_HEADER: current_request_id() or ""},
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return {row["area_code"]: _numbers(row["figures"]) for row in body["rows"]}


def _numbers(figures: dict[str, Any]) -> dict[str, Decimal]:
    """Counts and amounts (amounts arrive as strings); anything else is not a figure."""
    numbers = {}
    for metric, value in figures.items():
        if isinstance(value, bool) or value is None:
            continue
        try:
            numbers[metric] = Decimal(str(value))
        except ArithmeticError:
            continue
    return numbers
