"""Reading current figures by area, and folding the county figures (县级汇总).

Monitoring and employment store their figures per village (`area_figures`) and, through a
trigger, per county (`county_figures`, one row per writer until folded; see
migrations/county_figures_v1.py). An answer at county level or above sums the county rows
(a province: ~150 counties x the metrics), one below sums the village rows of one county.

`CountyFigureFolder` runs in the app: every few seconds it folds the rows of past writers into
one row per figure, so the county rows stay about one per figure and county. Folding changes
no figure; it only keeps the reads short. The funds service folds its per-county slots
(`fund_figures`) the same way. Each service also closes its past days there (a chore:
services/common/closed_figures.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from sqlalchemy import Select, func, literal, select, text

from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel, scope_bounds
from services.common.database import Database
from services.common.dated_figures import ALL_YEARS

logger = logging.getLogger(__name__)

COUNTY_DEPTH = AREA_LEVEL_DEPTH[AreaLevel.COUNTY]
FOLD_ROWS = 20_000
COUNTY_FIGURES = "county_figures"


def group_code(column: Any, depth: int) -> Any:
    """The code of the enclosing area at a depth: the first `depth` digits, padded with zeros."""
    return func.rpad(func.left(column, depth), 12, literal("0"))


def sums_by_area(
    area_figure: Any, county_figure: Any, area: str, depth: int, years: Callable[[Any], Any]
) -> Select[Any]:
    """(area code at `depth`, metric, sum) of the figures under `area` whose year column meets
    `years`, from the county rows when `depth` is a county's or above, else from the village
    rows."""
    low, high = scope_bounds(area)
    if depth <= COUNTY_DEPTH:
        table, code = county_figure, county_figure.county_code
    else:
        table, code = area_figure, area_figure.area_code
    group = group_code(code, depth).label("group_code")
    return (
        select(group, table.metric, func.sum(table.value))
        .where(code.between(low, high), years(table.year))
        .group_by(group, table.metric)
    )


def current_sums(
    area_figure: Any, county_figure: Any, area: str, depth: int, year: int
) -> Select[Any]:
    """`sums_by_area` of the all-time and the year's figures."""
    return sums_by_area(
        area_figure, county_figure, area, depth, lambda column: column.in_([ALL_YEARS, year])
    )


async def fold(database: Database, table: str = COUNTY_FIGURES, max_rows: int = FOLD_ROWS) -> int:
    """Fold at most `max_rows` rows of past writers of `table` (its `<table>_fold` function,
    migrations/county_figures_v1.py); answers how many were folded (0 when another fold is
    running)."""
    statement = text(f"SELECT {table}_fold(:max_rows)")
    async with database.sessionmaker() as session:
        folded = int((await session.execute(statement, {"max_rows": max_rows})).scalar_one())
        await session.commit()
    return folded


Chore = Callable[[Database], Awaitable[object]]


class CountyFigureFolder:
    """Folds a table of county figures every `interval` seconds while the app runs, then runs
    the `chores` (each on its own: one failing does not stop the others)."""

    def __init__(
        self, database: Database, interval: float, table: str, chores: tuple[Chore, ...] = ()
    ) -> None:
        self.database = database
        self.interval = interval
        self.table = table
        self.chores = chores
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="county-figure-folder")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                while await fold(self.database, self.table) == FOLD_ROWS:
                    pass
            except Exception:
                logger.exception("county figures: folding failed; retrying")
            for chore in self.chores:
                try:
                    await chore(self.database)
                except Exception:
                    logger.exception("county figures: %s failed; retrying", chore.__name__)
            await asyncio.sleep(self.interval)


@asynccontextmanager
async def county_figure_folding(
    database: Database,
    interval: float,
    table: str = COUNTY_FIGURES,
    chores: tuple[Chore, ...] = (),
) -> AsyncIterator[None]:
    """A lifespan part: the folder runs while the app does (`interval` 0: not at all)."""
    if interval <= 0:
        yield
        return
    folder = CountyFigureFolder(database, interval, table, chores)
    folder.start()
    try:
        yield
    finally:
        await folder.stop()
