"""The monitoring app's CPU per pushed operation, in-process (移动端同步的单次操作开销).

    .venv/bin/python -m bench.sync_profile --devices 20 --batches 5 --operations 50
    .venv/bin/python -m bench.sync_profile --profile /tmp/push.prof   # and cProfile's top

The devices and operations of bench.sync_devices (seeded villages, mixed operations, 10% of
batches resent), but each push is one call of the monitoring ASGI app in this process, with no
gateway, sockets or HTTP client: the CPU this process spends inside those calls is the app's
cost of the push path alone, which on a shared machine is steadier than wall time. The
database backends' CPU is printed beside it. Uses the `dixian_bench_sync_` databases (do not
run it together with bench.sync_devices).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import time
from collections import Counter
from typing import Any

from bench import employment_setup as setup
from bench.sync_devices import PREFIX, TABLES, backend_cpu, check
from bench.sync_workload import Device, Intended, seed, tally, villages

PUSH = "/api/v1/sync/push"


async def call(app: Any, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """One request through the ASGI app, as uvicorn would make it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PUSH,
        "raw_path": PUSH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"monitoring"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *((name.lower().encode(), value.encode()) for name, value in headers.items()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8001),
    }
    sent = False
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["body"]


async def main(arguments: argparse.Namespace) -> int:
    setup.use_prefix(PREFIX)
    settings = setup.prepare()
    admin = await setup.connect(settings, "monitoring")
    await admin.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")

    from services.monitoring.app import build_app

    app = build_app()
    intended = Intended()
    codes = villages(arguments.devices)
    households = await seed(app, codes, arguments.households, intended)
    await admin.execute("ANALYZE households, members")
    devices = [Device(index, code, households[index], intended) for index, code in enumerate(codes)]

    profiler = cProfile.Profile(time.process_time) if arguments.profile else None
    statements: Counter[str] = Counter()
    if arguments.statements:
        from sqlalchemy import event
        from sqlalchemy.engine.interfaces import CacheStats

        def count(
            conn: Any, cursor: Any, statement: str, params: Any, context: Any, *_: Any
        ) -> None:
            # SQLAlchemy's compiled cache: a statement "compiled" on every call costs the app
            # more than it costs the database.
            cached = {CacheStats.CACHE_HIT: "", CacheStats.CACHE_MISS: " (compiled)"}
            words = " ".join(statement.split()[:3])[:60].rstrip("0123456789_")
            statements[words + cached.get(context.cache_hit, " (not cacheable)")] += 1
            through_sqlalchemy.add(statement)

        through_sqlalchemy: set[str] = set()

        def on_driver(query: Any) -> None:
            if query.query in through_sqlalchemy:
                return  # counted above
            words = " ".join(query.query.split()[:3])[:60].rstrip("0123456789_")
            statements[words + " (asyncpg)"] += 1

        logged: set[int] = set()

        def log_driver(dbapi_connection: Any, *_: Any) -> None:
            # Statements sent on the asyncpg connection directly bypass SQLAlchemy's events;
            # asyncpg's query loggers see them (and SQLAlchemy's BEGIN and COMMIT).
            driver = dbapi_connection.driver_connection
            if id(driver) not in logged:
                logged.add(id(driver))
                driver.add_query_logger(on_driver)

        engine = app.state.database.bind.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        event.listen(engine, "checkout", log_driver)
    statuses: Counter[str] = Counter()
    problems: list[Any] = []
    answered, cpu = 0, 0.0

    async def push(device: Device, batch: list[dict[str, Any]]) -> None:
        nonlocal answered, cpu
        body = json.dumps({"operations": batch}).encode()
        started = time.process_time()
        if profiler:
            profiler.enable()
        status, answer = await call(app, device.headers, body)
        if profiler:
            profiler.disable()
        cpu += time.process_time() - started
        if status != 200:
            raise RuntimeError(f"push answered {status}: {answer[:300]!r}")
        outcomes = json.loads(answer)["outcomes"]
        answered += len(outcomes)
        tally(outcomes, statuses, problems)
        device.learn(batch, outcomes)

    database = await backend_cpu(admin)
    for round_ in range(arguments.batches + arguments.warmup):
        if round_ == arguments.warmup:
            answered, cpu, statuses = 0, 0.0, Counter()
            statements.clear()
            database = await backend_cpu(admin)
            if profiler:
                profiler = cProfile.Profile(time.process_time)
        for device in devices:
            batch = device.next_batch(arguments.operations)
            await push(device, batch)
            device.sent.append(batch)
            if device.rng.random() < arguments.resend:
                await push(device, device.rng.choice(device.sent))
    after = await backend_cpu(admin)
    database_cpu = sum(used - database.get(pid, 0.0) for pid, used in after.items())
    await app.state.database.dispose()

    print(
        f"- {answered} operations ({', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))})"
        f": monitoring {cpu / answered * 1000:.2f} ms CPU per operation, database backends "
        f"{database_cpu / answered * 1000:.2f} ms; load average {setup.load_average()}"
    )
    for problem in problems:
        print(f"  not applied: {json.dumps(problem, ensure_ascii=False)[:300]}")
    if statements:
        print(f"  {sum(statements.values()) / answered:6.2f} statements per operation in all:")
    for statement, times in statements.most_common():
        print(f"  {times / answered:6.2f} per operation: {statement}")
    wrong = await check(admin, intended)
    await admin.close()
    print("- database check: " + ("; ".join(wrong) if wrong else "exactly the intended rows"))
    if profiler:
        profiler.dump_stats(arguments.profile)
        stats = pstats.Stats(profiler).sort_stats(arguments.sort)
        stats.print_stats(arguments.top)
    return 1 if wrong or problems else 0


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=20, help="villages, one device each")
    parser.add_argument("--batches", type=int, default=5, help="measured batches per device")
    parser.add_argument("--warmup", type=int, default=1, help="batches per device not measured")
    parser.add_argument("--operations", type=int, default=50, help="operations per batch")
    parser.add_argument("--households", type=int, default=5, help="seeded per village")
    parser.add_argument("--resend", type=float, default=0.1, help="chance of a resent batch")
    parser.add_argument("--statements", action="store_true", help="count SQL statements")
    parser.add_argument("--profile", help="write cProfile statistics to this file")
    parser.add_argument("--sort", default="tottime", help="pstats sort key for the top")
    parser.add_argument("--top", type=int, default=40, help="functions of the profile shown")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_arguments())))
