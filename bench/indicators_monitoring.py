"""The indicators benchmark's register: townships and villages in the gateway's area registry,
households and members through the monitoring import path, then monitoring objects.

Monitoring objects (监测对象) are set with SQL rather than through identification cases (a
million cases through five workflow steps would take hours and is not what is measured): about
10% of households were ever identified, 4% still monitored and 6% with the risk eliminated,
with categories by kind, identification and elimination dates. Their figures are then added
to `area_figures` exactly as the workflow would have bumped them (services/monitoring/figures:
the contribution of the new state minus the old one, and `newly_identified_*` in the year of
identification), computed with SQL from the rows.
"""

from __future__ import annotations

import time
from datetime import date
from typing import TYPE_CHECKING

from bench.indicators_setup import VILLAGES, Province

if TYPE_CHECKING:
    import asyncpg
    import httpx

MONITORING_TABLES = ("households", "members", "member_moves", "changes", "area_figures")
# ID-number serials start at the first person born in 1970 (bench/synthetic.py runs through
# birth dates twelve serials a day), so that even a small run has people of working age.
FIRST_SERIAL = 12 * (date(1970, 1, 1) - date(1940, 1, 1)).days


async def register_areas(gateway: asyncpg.Connection, province: Province) -> int:
    """Townships and villages below the counties (names made up), added once."""
    rows = []
    for county, county_name in province.counties:
        for t, township in enumerate(province.townships(county), start=1):
            rows.append((township, f"{county_name}第{t}镇", "township", county))
            for v in range(1, VILLAGES + 1):
                rows.append(
                    (f"{township[:9]}{200 + v:03d}", f"第{t}镇第{v}村", "village", township)
                )
    await gateway.execute(
        "CREATE TEMP TABLE bench_areas (code text, name text, level text, parent_code text)"
    )
    await gateway.copy_records_to_table("bench_areas", records=rows)
    added = await gateway.execute(
        "INSERT INTO areas (code, name, level, parent_code, custom, version) "
        "SELECT code, name, level, parent_code, false, 1 FROM bench_areas "
        "ORDER BY level = 'village', code ON CONFLICT (code) DO NOTHING"
    )
    await gateway.execute("DROP TABLE bench_areas")
    return int(added.split()[-1])


async def load_register(
    client: httpx.AsyncClient, province: Province, have: int, members: int, batch: int
) -> None:
    """`members` people over the province's villages through `POST /imports/households`, in
    batches (each its own import, the same rows whatever batches came before), as
    village_listing.py loads its province; the first `have` are already there."""
    from bench.indicators_setup import token
    from bench.monitoring_setup import pieces
    from bench.synthetic import Population

    codes = tuple(province.villages())
    for first in range(have, members, batch):
        # A fresh token for each batch: a batch can outlast a token's lifetime.
        headers = {**token("administrator", "000000000000"), "Content-Type": "text/csv"}
        count = min(batch, members - first)
        body = Population(
            count,
            seed=first,
            first_serial=FIRST_SERIAL + first,
            household_prefix=f"G{first // batch:03d}-",
            village_codes=codes,
        ).csv()
        started = time.perf_counter()
        answer = await client.post(
            "/api/v1/imports/households", content=pieces(body), headers=headers
        )
        report = answer.json()
        elapsed = time.perf_counter() - started
        assert answer.status_code == 200 and report["rejected_count"] == 0, answer.text[:500]
        print(
            f"- imported members {first:,}-{first + count:,}: {elapsed:.0f} s, "
            f"{count / elapsed:,.0f} members/s",
            flush=True,
        )


# Buckets of a household's id: < 40 still monitored (identified 2022-2026), 40-99 eliminated
# (identified 2021-2024, eliminated 200 to 500 days later), the rest never identified.
MONITORING_STATES = """
WITH picked AS (
    SELECT id, kind, bucket, spread, CASE
        WHEN bucket < 40 THEN make_date(2022 + spread % 5, 1 + spread % 10, 1 + spread % 28)
        ELSE make_date(2021 + spread % 4, 1 + spread % 12, 1 + spread % 28) END AS identified
    FROM (
        SELECT id, kind, abs(hashtext(id::text)) % 1000 AS bucket,
               abs(hashtext(id::text)) / 1000 % 100 AS spread
        FROM households
    ) AS h
    WHERE bucket < 100
)
UPDATE households AS h SET
    monitoring_status = CASE WHEN p.bucket < 40 THEN 'monitored' ELSE 'eliminated' END,
    monitoring_category = CASE
        WHEN p.kind = 'exited_poverty' THEN 'unstable_exited'
        WHEN p.spread < 75 THEN 'marginal'
        ELSE 'sudden_hardship' END,
    risk_types = CASE WHEN p.spread % 3 = 0 THEN ARRAY['illness', 'disability']
                      WHEN p.spread % 3 = 1 THEN ARRAY['lack_of_labour']
                      ELSE ARRAY['education'] END,
    identified_on = p.identified,
    eliminated_on = CASE WHEN p.bucket < 40 THEN NULL ELSE p.identified + 200 + 3 * p.spread END,
    version = h.version + 1
FROM picked AS p
WHERE h.id = p.id AND h.monitoring_status = 'none'
"""

# What the new states add to the village figures: the contribution of the state (see
# services/monitoring/figures/contribution.py) beyond that of a household never identified,
# and the identifications of each year.
STATE_FIGURES = """
WITH contribution AS (
    SELECT area_code, 0 AS year, metric, value FROM households, LATERAL (VALUES
        ('monitored_households', CASE WHEN monitoring_status = 'monitored' THEN 1 END),
        ('monitored_people', CASE WHEN monitoring_status = 'monitored' THEN member_count END),
        ('monitored_households:' || monitoring_category,
            CASE WHEN monitoring_status = 'monitored' THEN 1 END),
        ('monitored_people:' || monitoring_category,
            CASE WHEN monitoring_status = 'monitored' THEN member_count END),
        ('monitored_not_exited_households',
            CASE WHEN monitoring_status = 'monitored' AND kind <> 'exited_poverty' THEN 1 END),
        ('eliminated_households', CASE WHEN monitoring_status = 'eliminated' THEN 1 END),
        ('eliminated_people', CASE WHEN monitoring_status = 'eliminated' THEN member_count END)
    ) AS c(metric, value)
    WHERE monitoring_status <> 'none' AND value IS NOT NULL
    UNION ALL
    SELECT area_code, extract(year FROM identified_on)::int, metric, value
    FROM households, LATERAL (VALUES
        ('newly_identified_households', 1), ('newly_identified_people', member_count)
    ) AS c(metric, value)
    WHERE identified_on IS NOT NULL
)
INSERT INTO area_figures AS f (area_code, year, metric, value)
SELECT area_code, year, metric, sum(value) FROM contribution
GROUP BY area_code, year, metric
ON CONFLICT (area_code, year, metric) DO UPDATE SET value = f.value + excluded.value
"""


async def set_monitoring_objects(monitoring: asyncpg.Connection) -> None:
    async with monitoring.transaction():
        changed = await monitoring.execute(MONITORING_STATES)
        await monitoring.execute(STATE_FIGURES)
    print(f"- monitoring objects set: {int(changed.split()[-1]):,} households")
    await monitoring.execute("VACUUM ANALYZE households")
    await monitoring.execute("VACUUM ANALYZE members")
    await monitoring.execute("VACUUM ANALYZE area_figures")


async def clean(monitoring: asyncpg.Connection) -> None:
    await monitoring.execute(f"TRUNCATE {', '.join(MONITORING_TABLES)} RESTART IDENTITY CASCADE")
