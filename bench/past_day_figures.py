"""Benchmark: figures as of a past day (按日统计) for a province, from the village deltas alone
and from the closed county days and months (services/common/closed_figures.py).
Run: `.venv/bin/python -m bench.past_day_figures`.

Loads a year of village deltas straight into `area_figure_days` of the bench monitoring
database: `--counties` counties of 200 villages, 15 metrics, all-time and per-year rows, each
changed on `--days` days of the year (20: 18 million rows for 150 counties). Then times, as the
application role, the monitoring service's own reads (medians of `--runs`):
- the province's county table as of a day two months back (`/internal/figures?as_of=`);
- the province's monthly series over the past 12 months (`/internal/figures/series`);
- one county's table as of that day.
First with no day closed (every village row up to the day: how past days were read before),
then after closing every closable day, checking both give the same answers; it also times the
first closing (the whole history) and the closing of one more day.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bench.monitoring_setup import admin_connection, machine_facts, prepare, print_facts

PROVINCE = "410000000000"
COUNTY = "410101000000"
VILLAGES = 200  # per county: 10 townships of 20
METRICS = 15
_SEED = """
INSERT INTO area_figure_days (area_code, year, metric, day, delta)
SELECT '41' || lpad((101 + c / 99 * 100 + c % 99)::text, 4, '0')
            || lpad((101 + v / 20)::text, 3, '0') || lpad((201 + v % 20)::text, 3, '0'),
       y, 'metric_' || m, $1::date + (d * $3 + (v * 7 + m) % $3), 1 + (v + m + d) % 3
FROM generate_series(0, $2 - 1) AS c, generate_series(0, 199) AS v,
     generate_series(0, 14) AS m, (VALUES (0), (2026)) AS ys (y), generate_series(0, $4 - 1) AS d
"""


async def timed(runs: int, read: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Median milliseconds of `runs` reads (after one unmeasured), and the last answer."""
    answer = await read()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        answer = await read()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), answer


async def main(counties: int, days: int, runs: int) -> None:
    from services.common.business_time import business_today
    from services.common.closed_figures import VILLAGE_DAYS, close_days, monthly_sums, sums_as_of
    from services.common.database import Database

    settings = prepare()
    admin = await admin_connection(settings)
    database = Database.connect(
        settings.service_database_url("monitoring"), role=settings.database_role, pool_size=2
    )
    today = business_today()
    last = today - timedelta(days=3)
    first = last - timedelta(days=364)
    spacing = 365 // days
    as_of = today - timedelta(days=60)
    try:
        print("Machine:")
        print_facts(await machine_facts(admin))
        await admin.execute("TRUNCATE area_figures")  # empties the deltas and the closings
        began = time.perf_counter()
        await admin.execute(_SEED, first, counties, spacing, days)
        await admin.execute("ANALYZE area_figure_days")
        rows = await admin.fetchval("SELECT count(*) FROM area_figure_days")
        print(
            f"Loaded {rows:,} village deltas ({counties} counties x {VILLAGES} villages x "
            f"{METRICS} metrics x 2 years x {days} days) in {time.perf_counter() - began:.0f} s"
        )

        async def reads() -> dict[str, tuple[float, Any]]:
            async with database.sessionmaker() as session:
                return {
                    "province by county, as of a day": await timed(
                        runs,
                        lambda: sums_as_of(session, VILLAGE_DAYS, PROVINCE, 6, [0, 2026], as_of),
                    ),
                    "province, 12 monthly values": await timed(
                        runs, lambda: monthly_sums(session, VILLAGE_DAYS, PROVINCE, [0, 2026], last)
                    ),
                    "one county by township, as of a day": await timed(
                        runs, lambda: sums_as_of(session, VILLAGE_DAYS, COUNTY, 9, [0, 2026], as_of)
                    ),
                }

        before = await reads()
        began = time.perf_counter()
        through = await close_days(database, today=today - timedelta(days=1))
        first_close = time.perf_counter() - began
        # One more day of changes, as many as the history's last day had, then its closing.
        inserted = await admin.execute(
            "INSERT INTO area_figure_days (area_code, year, metric, day, delta) "
            "SELECT area_code, year, metric, $1, delta FROM area_figure_days"
            " WHERE day = (SELECT max(day) FROM area_figure_days)",
            today - timedelta(days=2),
        )
        day_rows = int(inserted.split()[-1])
        began = time.perf_counter()
        assert await close_days(database) == today - timedelta(days=2)
        one_day = time.perf_counter() - began
        # As autovacuum would soon after: the planner then knows the closed rows.
        await admin.execute("ANALYZE county_figure_days, county_figure_months")
        closed_rows = await admin.fetchval(
            "SELECT (SELECT count(*) FROM county_figure_days)"
            " + (SELECT count(*) FROM county_figure_months)"
        )
        print(
            f"Closing: the whole history (through {through}) {first_close:.1f} s, "
            f"{closed_rows:,} county rows; one more day ({day_rows:,} village rows) "
            f"{one_day * 1000:.0f} ms"
        )
        after = await reads()
        print(f"Reads as the service makes them, median of {runs} (ms):")
        for name, (old, old_answer) in before.items():
            new, new_answer = after[name]
            assert sorted(map(tuple, old_answer)) == sorted(map(tuple, new_answer)), name
            print(f"  {name:38} village rows {old:8.1f}   closed {new:7.1f}   {old / new:5.1f}x")
        print("  (the same answers both ways)")
    finally:
        await admin.execute("TRUNCATE area_figures")
        await admin.close()
        await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=150, help="counties (150, at most 198)")
    parser.add_argument("--days", type=int, default=20, help="changed days a year (20)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per read (5)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.counties, arguments.days, arguments.runs))
