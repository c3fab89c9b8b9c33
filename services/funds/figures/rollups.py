"""Keeping per-county figures exact in the same transaction as each write.

A write that changes a figure calls `bump` with the county, the year, the record whose running
total moved and the signed deltas; each row is upserted and incremented in place. A figure is
stored in `SLOTS` rows chosen by that record's id, and read as their sum: all payments of a
county would otherwise queue on one counter row for the time between their update and their
commit, while payments on one link already queue on the link row (so they share a slot). The
app folds the slots into slot 0 every few seconds (services/common/county_figures.py), skipping
rows a running transaction holds, so a read sums about one row per figure.
Lock order, everywhere: project, link, allocation (the entry rows), then the figure rows of one
slot in metric order, in one statement, so two writers never lock crosswise.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.models import FundFigure
from services.funds.vocabulary import AssetKind, FundLevel, ProjectCategory, ProjectStatus

SLOTS = 16
ALL_YEARS = 0

# Stored metrics; the per-kind ones are `<metric>:<kind>`.
ALLOCATED = "allocated"  # net of reversals; also `allocated:<level>`
LINKED = "linked"  # net of reversals; also `linked:<category>`
PAID = "paid"  # net of refunds
PROJECTS = "projects"  # `projects:<status>`, per project year
ASSETS = "assets"  # `assets:<kind>`, not disposed, all years
ASSET_VALUE = "asset_value"  # `asset_value:<kind>`, not disposed, all years
IDLE_ASSETS = "idle_assets"
MONEY_METRICS = (ALLOCATED, LINKED, PAID, ASSET_VALUE)

Delta = tuple[str, Decimal | int]


_insert = insert(FundFigure)
# Built once: every write runs it.
_UPSERT = _insert.on_conflict_do_update(
    index_elements=["county_code", "year", "metric", "slot"],
    set_={"value": FundFigure.value + _insert.excluded.value},
)


def by_kind(metric: str, kind: str) -> str:
    """The per-kind variant of a metric, e.g. `allocated:central`."""
    return f"{metric}:{kind}"


# Every metric an answer shows, zero or not, so that every row has the same shape.
METRICS: tuple[str, ...] = (
    ALLOCATED,
    *(by_kind(ALLOCATED, level) for level in FundLevel),
    LINKED,
    *(by_kind(LINKED, category) for category in ProjectCategory),
    PAID,
    *(by_kind(PROJECTS, status) for status in ProjectStatus),
    *(by_kind(ASSETS, kind) for kind in AssetKind),
    *(by_kind(ASSET_VALUE, kind) for kind in AssetKind),
    IDLE_ASSETS,
)


def is_money(metric: str) -> bool:
    return metric.split(":", 1)[0] in MONEY_METRICS


def slot_of(record_id: uuid.UUID) -> int:
    """1 to `SLOTS`: slot 0 holds the folded rows (`CountyFigureFolder`) and no writer's."""
    return record_id.int % SLOTS + 1


async def bump(
    session: AsyncSession,
    county_code: str,
    year: int,
    record_id: uuid.UUID,
    changes: Iterable[Delta],
) -> None:
    """Add each `(metric, delta)` to the county's figures for `year`, in the caller's
    transaction, in the slot of `record_id`."""
    totals: dict[str, Decimal] = {}
    for metric, delta in changes:
        totals[metric] = totals.get(metric, Decimal(0)) + Decimal(delta)
    slot = slot_of(record_id)
    rows = [
        {"county_code": county_code, "year": year, "metric": metric, "slot": slot, "value": delta}
        for metric, delta in sorted(totals.items())
        if delta
    ]
    # One statement per row, in metric order, so two writers lock the rows in the same order.
    for row in rows:
        await session.execute(_UPSERT, row)
