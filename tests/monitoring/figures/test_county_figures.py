"""County figures (县级汇总): kept by the trigger on the village figures, one row per writer so
that writers in one county never wait on each other, folded into one row per figure without
changing a sum and without waiting on a running writer."""

from __future__ import annotations

from collections import defaultdict

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.common.county_figures import fold
from services.common.database import Database

COUNTY = "411424000000"
VILLAGE_A = "411424100201"
VILLAGE_B = "411424100202"
OTHER_VILLAGE = "411425100201"


async def bump(connection: AsyncConnection, village: str, metric: str, delta: int) -> None:
    await connection.execute(
        text(
            "INSERT INTO area_figures AS f (area_code, year, metric, value) "
            "VALUES (:village, 0, :metric, :delta) "
            "ON CONFLICT (area_code, year, metric) DO UPDATE SET value = f.value + :delta"
        ),
        {"village": village, "metric": metric, "delta": delta},
    )


async def county_rows(engine: AsyncEngine) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(county, metric) -> [(slot, value)] of every stored row."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT county_code, metric, slot, value FROM county_figures ORDER BY slot")
        )
        stored: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for county, metric, slot, value in rows:
            stored[(county, metric)].append((slot, int(value)))
        return dict(stored)


def sums(rows: dict[tuple[str, str], list[tuple[int, int]]]) -> dict[tuple[str, str], int]:
    return {key: sum(value for _, value in slots) for key, slots in rows.items()}


async def test_writers_in_one_county_never_wait_and_folding_keeps_the_sums(
    committing_apps: dict[str, FastAPI], engines: dict[str, AsyncEngine]
) -> None:
    engine = engines["monitoring"]
    database = Database(engine)
    async with engine.connect() as first, engine.connect() as second:
        for connection in (first, second):
            await connection.begin()
            # Waiting on the other writer's county row would fail the test.
            await connection.execute(text("SET LOCAL lock_timeout = '2s'"))
        await bump(first, VILLAGE_A, "households", 2)
        await bump(second, VILLAGE_B, "households", 3)
        await bump(second, OTHER_VILLAGE, "households", 7)
        # A fold skips what running transactions hold: nothing to fold yet.
        assert await fold(database) == 0
        await first.commit()
        await second.commit()

    rows = await county_rows(engine)
    assert len(rows[(COUNTY, "households")]) == 2  # one row per writer
    assert sums(rows) == {(COUNTY, "households"): 5, ("411425000000", "households"): 7}

    assert await fold(database) == 3
    rows = await county_rows(engine)
    assert rows == {(COUNTY, "households"): [(0, 5)], ("411425000000", "households"): [(0, 7)]}
    assert await fold(database) == 0

    async with engine.begin() as connection:
        await bump(connection, VILLAGE_A, "households", -2)
        await bump(connection, VILLAGE_A, "people", 4)
        await connection.execute(
            text("DELETE FROM area_figures WHERE area_code = :v"), {"v": VILLAGE_B}
        )
    assert sums(await county_rows(engine)) == {
        (COUNTY, "households"): 0,
        (COUNTY, "people"): 4,
        ("411425000000", "households"): 7,
    }
    await fold(database)
    assert sums(await county_rows(engine)) == {
        (COUNTY, "households"): 0,
        (COUNTY, "people"): 4,
        ("411425000000", "households"): 7,
    }


async def test_a_fold_does_not_wait_on_a_running_writer(
    committing_apps: dict[str, FastAPI], engines: dict[str, AsyncEngine]
) -> None:
    engine = engines["monitoring"]
    database = Database(engine)
    async with engine.connect() as earlier, engine.connect() as writer:
        await earlier.begin()
        await bump(earlier, VILLAGE_A, "households", 1)
        await earlier.commit()
        await writer.begin()
        await bump(writer, VILLAGE_A, "households", 1)
        # The committed row folds; the running writer's row stays as it is.
        assert await fold(database) == 1
        await writer.commit()
    assert await fold(database) == 1
    assert await county_rows(engine) == {(COUNTY, "households"): [(0, 2)]}
