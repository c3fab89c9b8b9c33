"""Benchmark: the per-county indicator table (考核指标排名) of a province through the gateway,
beside each service's own figures route measured directly in the same run, and a streamed
export of the province's households through the gateway with the processes' memory.

    .venv/bin/python -m bench.gateway_indicators                 # 150 counties, full size
    .venv/bin/python -m bench.gateway_indicators --small         # a quick check

Data (loaded once into `dixian_bench_gi_*` databases, skipped when already there; `--fresh`
reloads): the first `--counties` counties of Henan in the gateway's division list, with ten
townships of twenty villages each added to its area registry; `--members` people (about 3.3
to a household) through the monitoring import path, 10% of households made monitoring objects
with SQL; `--projects` projects and `--payments` payments COPYed into funds with figures
computed from the rows; `--labourers` labourers (COPY) with one employment spell each and
`--loans` loans through the employment bulk paths, the loans' eligibility settled with SQL.
See bench/indicators_*.py for what each step writes and why.

Measurement: the four apps as uvicorn processes (one worker each) on loopback ports, the lean
keep-alive client of bench/funds_loopback.py; `--requests` rounds after `--warmup`, each round
`GET /api/v1/indicators?area=<province>&level=county&year=` as a province official, then each
service's `GET /api/v1/internal/figures` with the same query and the gateway's service token;
the table once as CSV and once as XLSX; then the export.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncpg

    from bench.indicators_setup import Province

SMALL = {
    "counties": 10,
    "members": 35_000,
    "projects": 2_000,
    "payments": 20_000,
    "labourers": 3_000,
    "loans": 1_500,
    "requests": 50,
    "warmup": 10,
    "prefix": "dixian_bench_gis_",
}


async def load_monitoring(
    monitoring: asyncpg.Connection, province: Province, arguments: argparse.Namespace
) -> bool:
    """The register, unless already loaded; whether it was (re)loaded."""
    from bench import indicators_monitoring as register
    from services.monitoring.app import build_app
    from services.monitoring.imports.workers import ImportTuning

    found = await monitoring.fetchrow(
        "SELECT (SELECT count(*) FROM members) AS members, "
        "(SELECT count(*) FROM households WHERE monitoring_status <> 'none') AS objects"
    )
    assert found is not None
    if not arguments.fresh and found["members"] == arguments.members and found["objects"]:
        return False
    import httpx

    have = found["members"]
    # An interrupted load resumes after its last whole batch; anything else starts afresh.
    if arguments.fresh or found["objects"] or have > arguments.members or have % arguments.batch:
        await register.clean(monitoring)
        have = 0
    print(f"\n## Loading {arguments.members - have:,} members", flush=True)
    app = build_app()
    app.state.import_tuning = ImportTuning(mode="process")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://monitoring", timeout=None
    ) as client:
        await register.load_register(client, province, have, arguments.members, arguments.batch)
    await app.state.database.dispose()
    await register.set_monitoring_objects(monitoring)
    return True


async def load_employment(
    employment: asyncpg.Connection,
    monitoring: asyncpg.Connection,
    province: Province,
    arguments: argparse.Namespace,
) -> None:
    import httpx

    from bench import indicators_employment as work
    from services.employment.app import build_app

    app = build_app()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://employment", timeout=None
    ) as client:
        await work.load(
            employment,
            monitoring,
            client,
            province,
            labourers=arguments.labourers,
            loans=arguments.loans,
            batch=arguments.batch // 5,
        )
    await app.state.database.dispose()


async def load(
    arguments: argparse.Namespace, connections: dict[str, asyncpg.Connection]
) -> Province:
    from bench import indicators_employment, indicators_funds
    from bench.indicators_monitoring import register_areas
    from bench.indicators_setup import province

    started = time.perf_counter()
    place = await province(connections["gateway"], arguments.counties)
    added = await register_areas(connections["gateway"], place)
    if added:
        print(f"- gateway area registry: {added:,} townships and villages added")
    reloaded = await load_monitoring(connections["monitoring"], place, arguments)
    funds, employment = connections["funds"], connections["employment"]
    if reloaded or not await indicators_funds.loaded(funds, arguments.projects, arguments.payments):
        await indicators_funds.load(funds, place, arguments.projects, arguments.payments)
    if reloaded or not await indicators_employment.loaded(
        employment, arguments.labourers, arguments.loans
    ):
        await load_employment(employment, connections["monitoring"], place, arguments)
    print(f"- data ready in {time.perf_counter() - started:.0f} s", flush=True)
    return place


async def describe_data(connections: dict[str, asyncpg.Connection], year: int) -> None:
    monitoring = await connections["monitoring"].fetchrow(
        "SELECT (SELECT count(*) FROM households) AS households, "
        "(SELECT count(*) FROM members) AS members, "
        "(SELECT count(*) FROM households WHERE monitoring_status = 'monitored') AS monitored, "
        "(SELECT count(*) FROM households WHERE monitoring_status = 'eliminated') AS eliminated, "
        "(SELECT count(*) FROM area_figures) AS figure_rows"
    )
    funds = await connections["funds"].fetchrow(
        "SELECT (SELECT count(*) FROM projects) AS projects, "
        "(SELECT count(*) FROM payments) AS payments, "
        "(SELECT count(*) FROM fund_figures) AS figure_rows"
    )
    employment = await connections["employment"].fetchrow(
        "SELECT (SELECT count(*) FROM labourers) AS labourers, "
        "(SELECT count(*) FROM employment_spells) AS spells, "
        "(SELECT count(*) FROM loans WHERE status = 'outstanding') AS loans, "
        "(SELECT count(*) FROM area_figures) AS figure_rows"
    )
    villages = await connections["gateway"].fetchval(
        "SELECT count(*) FROM areas WHERE level = 'village' AND code LIKE '41%'"
    )
    assert monitoring and funds and employment
    print(
        f"\n## Data (year {year})\n"
        f"- monitoring: {monitoring['households']:,} households, {monitoring['members']:,} "
        f"members, {monitoring['monitored']:,} monitored and {monitoring['eliminated']:,} "
        f"eliminated households; {monitoring['figure_rows']:,} village figure rows\n"
        f"- funds: {funds['projects']:,} projects, {funds['payments']:,} payments; "
        f"{funds['figure_rows']:,} county figure rows (16 slots)\n"
        f"- employment: {employment['labourers']:,} labourers, {employment['spells']:,} spells, "
        f"{employment['loans']:,} outstanding loans; {employment['figure_rows']:,} village "
        f"figure rows\n"
        f"- gateway: {villages:,} villages in the area registry"
    )


# The county figures (summed by the trigger) against the village figures, figure by figure.
COUNTIES_AGREE = (
    "SELECT (SELECT count(*) FROM (SELECT rpad(left(area_code, 6), 12, '0') AS c, year, metric, "
    "sum(value) AS v FROM area_figures GROUP BY 1, 2, 3 EXCEPT SELECT county_code, year, metric, "
    "sum(value) FROM county_figures GROUP BY 1, 2, 3) AS differing), 0"
)

# Each pair must agree: a figure as the services read it, and the same count from the rows.
CHECKS = {
    "monitoring": (
        "SELECT (SELECT sum(value) FROM area_figures WHERE metric = 'monitored_people' "
        "AND year = 0), (SELECT sum(member_count) FROM households "
        "WHERE monitoring_status = 'monitored')",
        "SELECT (SELECT sum(value) FROM area_figures WHERE metric = 'households' AND year = 0), "
        "(SELECT count(*) FROM households)",
        COUNTIES_AGREE,
    ),
    "funds": (
        "SELECT (SELECT sum(value) FROM fund_figures WHERE metric = 'paid'), "
        "(SELECT sum(amount) FROM payments)",
        "SELECT (SELECT sum(value) FROM fund_figures WHERE metric = 'linked'), "
        "(SELECT sum(linked) FROM allocations)",
    ),
    "employment": (
        "SELECT (SELECT sum(value) FROM area_figures WHERE metric = 'loan_balance'), "
        "(SELECT sum(amount) FROM loans WHERE status = 'outstanding')",
        "SELECT (SELECT sum(value) FROM area_figures WHERE metric = 'labourers'), "
        "(SELECT count(*) FROM labourers)",
        COUNTIES_AGREE,
    ),
}


async def fold_county_figures(connections: dict[str, asyncpg.Connection]) -> None:
    """Fold the county figures the loads wrote, as the services do every few seconds."""
    tables = {
        "monitoring": "county_figures",
        "funds": "fund_figures",
        "employment": "county_figures",
    }
    for service, table in tables.items():
        connection = connections[service]
        while await connection.fetchval(f"SELECT {table}_fold(100000)"):
            pass
        rows = await connection.fetchval(f"SELECT count(*) FROM {table}")
        print(f"- {service}: {rows:,} county figure rows after folding")


async def check_figures(connections: dict[str, asyncpg.Connection]) -> None:
    """A few stored figures against the rows they count."""
    for service, queries in CHECKS.items():
        for query in queries:
            row = await connections[service].fetchrow(query)
            assert row is not None and row[0] == row[1], (service, query, row)
    print(
        "- figures agree with the rows (monitored people, households, paid, linked, loan "
        "balance, labourers; county figures with village figures)"
    )


async def measure(arguments: argparse.Namespace) -> None:
    from bench import indicators_measure as measured
    from bench.indicators_setup import YEAR
    from bench.servers import free_port, start_server, stop_servers, wait_ready

    names = ("monitoring", "funds", "employment", "gateway")
    ports = {name: free_port() for name in names}
    env = {
        **os.environ,
        **{f"GATEWAY_{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}" for name in names[:3]},
        "DATABASE_POOL_SIZE": "10",
        "GATEWAY_INDICATORS_DEADLINE_SECONDS": str(arguments.deadline),
    }
    servers = {name: start_server(name, ports[name], env) for name in names}
    try:
        for port in ports.values():
            await wait_ready(port, seconds=120)
        load = measured.load_average()
        started = time.perf_counter()
        latencies, table = await measured.indicator_rounds(
            ports, YEAR, arguments.requests, arguments.warmup
        )
        rows = table.get("rows", [])
        degraded = ", ".join(f"{name} in {n}" for name, n in latencies.degraded.items())
        print(
            f"\n## County table: {len(rows)} counties, unavailable: {degraded or 'none'}; "  # type: ignore[arg-type]
            f"{arguments.requests} rounds after {arguments.warmup} warm-up, deadline "
            f"{arguments.deadline:g} s, "
            f"{time.perf_counter() - started:.0f} s"
        )
        total = table.get("total", {}).get("indicators", {})  # type: ignore[attr-defined]
        print(f"- total row: {', '.join(f'{k} {v}' for k, v in total.items() if v is not None)}")
        print(f"- load average before: {load}; after: {measured.load_average()}\n")
        print(latencies.table())
        if not arguments.no_export:
            print(
                f"\n## Export of the province's households (load average {measured.load_average()})"
            )
            pids = {name: servers[name].pid for name in ("gateway", "monitoring")}
            for line in await measured.export_households(ports["gateway"], pids):
                print(line, flush=True)
            print(f"- load average after: {measured.load_average()}")
    finally:
        stop_servers(list(servers.values()))


async def main(arguments: argparse.Namespace) -> None:
    from bench import indicators_setup as setup
    from bench import monitoring_setup

    setup.use_prefix(arguments.prefix)
    settings = setup.prepare()
    connections = {
        name: await setup.connect(settings, name)
        for name in ("gateway", "monitoring", "funds", "employment")
    }
    print("## Machine")
    monitoring_setup.print_facts(await monitoring_setup.machine_facts(connections["monitoring"]))
    print(
        f"- sizes: {arguments.counties} counties, {arguments.members:,} members, "
        f"{arguments.projects:,} projects, {arguments.payments:,} payments, "
        f"{arguments.labourers:,} labourers, {arguments.loans:,} loans"
    )
    await load(arguments, connections)
    await describe_data(connections, setup.YEAR)
    await fold_county_figures(connections)
    await check_figures(connections)
    for connection in connections.values():
        await connection.close()
    if not arguments.load_only:
        await measure(arguments)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--counties", type=int, default=150)
    parser.add_argument("--members", type=int, default=3_500_000, help="about 3.3 a household")
    parser.add_argument("--projects", type=int, default=30_000)
    parser.add_argument("--payments", type=int, default=300_000)
    parser.add_argument("--labourers", type=int, default=300_000, help="one spell each")
    parser.add_argument("--loans", type=int, default=150_000)
    parser.add_argument("--batch", type=int, default=500_000, help="members per import")
    parser.add_argument("--requests", type=int, default=100, help="measured rounds")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument(
        "--deadline", type=float, default=2.0, help="the gateway's indicators deadline, seconds"
    )
    parser.add_argument("--prefix", default="dixian_bench_gi_", help="database prefix")
    parser.add_argument("--fresh", action="store_true", help="empty and load everything again")
    parser.add_argument("--no-export", action="store_true", help="skip the export")
    parser.add_argument("--load-only", action="store_true", help="load the data, measure nothing")
    parser.add_argument("--small", action="store_true", help="small sizes, own databases")
    arguments = parser.parse_args()
    if arguments.small:
        for name, value in SMALL.items():
            setattr(arguments, name, value)
    return arguments


if __name__ == "__main__":
    asyncio.run(main(parse_arguments()))
