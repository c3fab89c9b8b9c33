"""What the bulk loaders share: reading and checking rows in one task while the database
stores the rows checked before, COPY on the session's own connection, the caller's scope as SQL
bounds, row problems."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from asyncpg.pgproto.pgproto import UUID as FastUUID
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import scope_bounds
from services.common.auth.principal import Principal
from services.common.driver import driver_connection
from services.common.errors import DixianError
from services.common.process_pool import forget_pool, process_pool
from services.employment.bulk.fields import RowError
from services.employment.bulk.report import Problems, RowProblem
from services.employment.bulk.streaming import FileFormat, Lines, Record, Upload

# Rows checked before the database stores them: the first batch is checked while the database
# waits (20,000 rows kept it idle for about a second), and a batch's few statements cost little
# a row even at this size.
BATCH_ROWS = 5_000
# Rows checked between the producer's turns on the event loop: a chunk of the body holds
# thousands of rows (about 150 ms of checking), and the store's next statement must not wait
# that long for its answer to be read while the database sits idle.
ROWS_PER_TURN = 250
T = TypeVar("T")
# Sorts of a whole load's rows (the recount's windows) stay in memory.
WORK_MEM = "SET LOCAL work_mem = '64MB'"
CHANGE_COLUMNS = ("entity", "entity_id", "operation", "area_code", "version")


async def copier(
    session: AsyncSession, table: str, columns: Sequence[str]
) -> Callable[[list[tuple[Any, ...]]], Awaitable[None]]:
    """A function that COPYs rows into `table` in the session's transaction (asyncpg's binary
    COPY on the raw connection: the ORM is far too slow for this). Defaults fill the columns
    not named; constraints, foreign keys and the grants of the application role hold as for
    any insert."""
    driver = await driver_connection(session)

    async def copy(rows: list[tuple[Any, ...]]) -> None:
        if rows:
            await driver.copy_records_to_table(table, records=rows, columns=list(columns))

    return copy


async def hold_statistics(session: AsyncSession, tables: Sequence[str]) -> None:
    """Keep VACUUM and ANALYZE (autovacuum's too) off the tables a load fills until it commits;
    reads and writes go on, and loads of the same tables run one at a time.

    Autovacuum sees none of the load's uncommitted rows: run during a load into a table emptied
    before (TRUNCATE), it records the table as empty, and the load's later joins against it are
    planned as nested loops over a sequential scan, each batch then reading the whole table per
    row. Measured on a re-load of 50,000 loans: 241 us of database CPU a row instead of 27."""
    await session.execute(text(f"LOCK TABLE {', '.join(tables)} IN SHARE UPDATE EXCLUSIVE MODE"))


def new_ids(count: int) -> list[uuid.UUID]:
    """`count` random version-4 UUIDs at bulk speed: one read of the system's randomness and
    asyncpg's own UUID class (a `uuid.UUID`), which it also encodes fastest; `uuid.uuid4()`
    costs about 4 us each."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes((byte & 0x0F) | 0x40 for byte in raw[6::16])
    raw[8::16] = bytes((byte & 0x3F) | 0x80 for byte in raw[8::16])
    block = bytes(raw)
    return [FastUUID(block[start : start + 16]) for start in range(0, len(block), 16)]


def scope(principal: Principal) -> dict[str, str]:
    low, high = scope_bounds(principal.area)
    return {"low": low, "high": high}


def problem(record: Record, error: RowError) -> RowProblem:
    return RowProblem(
        row=record.row, field=error.field, rule=error.rule, message=error.message, ref=record.ref
    )


_loads_running = 0


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a load runs. A load keeps tens of
    thousands of rows alive per batch, which the collector otherwise scans over and over: paused,
    a 200,000-row load spent 40% less CPU (bench/employment_bulk.py). Reference counting still
    frees every row; only reference cycles wait, and the collector resumes when the last load
    running in the process ends."""
    global _loads_running
    if _loads_running == 0:
        gc.disable()
    _loads_running += 1
    try:
        yield
    finally:
        _loads_running -= 1
        if _loads_running == 0:
            gc.enable()


async def pipeline(
    upload: Upload,
    spec: FileFormat,
    make_row: Callable[[Record], T],
    store: Callable[[list[T]], Awaitable[None]],
    problems: Problems,
) -> None:
    """Read and check rows in one task while the rows checked before are stored by the
    database in another: the server works on one batch while Python reads the next."""
    queue: asyncio.Queue[list[T] | None] = asyncio.Queue(maxsize=2)

    async def produce() -> None:
        rows: list[T] = []
        try:
            async for batch in upload.records(spec):
                for position, item in enumerate(batch):
                    if position % ROWS_PER_TURN == ROWS_PER_TURN - 1:
                        await asyncio.sleep(0)
                    if isinstance(item, RowProblem):
                        problems.add(item)
                        continue
                    try:
                        rows.append(make_row(item))
                    except RowError as error:
                        problems.add(problem(item, error))
                if len(rows) >= BATCH_ROWS:
                    await queue.put(rows)
                    rows = []
            if rows:
                await queue.put(rows)
        finally:
            await queue.put(None)

    producer = asyncio.create_task(produce())
    try:
        while (rows := await queue.get()) is not None:
            await store(rows)
    except BaseException:
        producer.cancel()
        raise
    await producer


class WorkersFailed(DixianError):
    status = 503
    code = "bulk_workers_failed"


async def checked_batches(
    upload: Upload,
    spec: FileFormat,
    check: Callable[[list[str] | None, Lines], T],
    *,
    workers: int,
) -> AsyncIterator[T]:
    """`check(header, batch)` of the file's rows, `BATCH_ROWS` at a time, in file order
    (`header`: a CSV file's, None for NDJSON; `check` must pickle, e.g. a module's function).

    With `workers`, checked in that many worker processes (services/common/process_pool.py),
    one batch more in flight than workers, so they go on checking while the caller stores the
    batch before; with 0, in a thread (a small file: starting the processes costs about a
    second). Either way the event loop only reads the body and stores rows."""
    batches = _batched(upload.numbered_lines(spec))
    if not workers:
        async for batch in batches:
            yield await asyncio.to_thread(check, upload.header, batch)
        return
    pool = process_pool(workers)
    loop = asyncio.get_running_loop()
    running: deque[asyncio.Future[T]] = deque()
    try:
        async for batch in batches:
            running.append(loop.run_in_executor(pool, check, upload.header, batch))
            if len(running) > workers:
                yield await _checked(pool, running.popleft())
        while running:
            yield await _checked(pool, running.popleft())
    finally:
        for future in running:
            future.cancel()


async def _checked(pool: Any, future: asyncio.Future[T]) -> T:
    try:
        return await future
    except BrokenProcessPool:
        forget_pool(pool)
        raise WorkersFailed(
            "A worker process checking the file stopped unexpectedly; nothing was loaded. "
            "Send the file again."
        ) from None


async def _batched(batches: AsyncIterator[Lines]) -> AsyncIterator[Lines]:
    """The body's pieces of rows gathered into batches of at least `BATCH_ROWS` rows."""
    pending: Lines | None = None
    async for batch in batches:
        if pending is None:
            pending = Lines(batch.first_row, batch.lines[:])
        else:
            pending.lines.extend(batch.lines)  # type: ignore[arg-type]
        if len(pending.lines) >= BATCH_ROWS:
            yield pending
            pending = None
    if pending is not None:
        yield pending
