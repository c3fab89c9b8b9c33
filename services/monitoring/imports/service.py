"""Importing households: the whole upload in one transaction, chunk by chunk.

For each chunk, in file order: a worker parses, validates and encrypts its rows and encodes them
for COPY as rows of `households`, `members` and `changes`; the loop asks the database which of
the chunk's household numbers and people are registered already, lets the ledger decide which
rows load, and COPYs those straight into the real tables (no staging table). While the database
works on one chunk the workers parse the next ones. At the end, households rejected after they
were loaded are deleted again, the figures of each village are bumped once and the import is
audited. Any error rolls the whole import back.

Imports run one at a time (`repository.hold_statistics` takes a lock that conflicts with
itself), so two imports of overlapping files cannot both load a household or a person: the
second sees the first's rows once it commits, or nothing if it rolled back.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.driver import driver_connection
from services.common.errors import Conflict, InvalidInput
from services.common.settings import CommonSettings
from services.monitoring.codes.book import CodeBook
from services.monitoring.imports import encoding, repository
from services.monitoring.imports.chunks import Chunk, ChunkResult, ImportFormat, ParserContext
from services.monitoring.imports.ledger import Ledger
from services.monitoring.imports.loaded_figures import loaded_figures
from services.monitoring.imports.plans import ChunkPlan
from services.monitoring.imports.reading import ChunkCutter, parse_header
from services.monitoring.imports.schemas import ImportReport, RejectedRow
from services.monitoring.imports.workers import ChunkWorkers, ImportTuning

MAX_BODY_BYTES = 2 * 1024**3
MAX_ROWS = 5_000_000


class ImportTooLarge(InvalidInput):
    code = "import_too_large"


class ImportConflict(Conflict):
    code = "write_conflict"

    def __init__(self) -> None:
        super().__init__(
            "Households or people of this file were registered by someone else while it was "
            "being imported; nothing was imported. Send the file again."
        )


def body_too_large() -> ImportTooLarge:
    return ImportTooLarge(f"The upload is larger than {MAX_BODY_BYTES} bytes.")


async def import_households(
    session: AsyncSession,
    principal: Principal,
    body: AsyncIterator[bytes],
    *,
    format: ImportFormat,
    codes: CodeBook,
    settings: CommonSettings,
    tuning: ImportTuning | None = None,
    content_length: int | None = None,
) -> ImportReport:
    """Import an NDJSON or CSV upload into the caller's area, inside the session's transaction
    (the caller commits). Raises ImportTooLarge, ImportConflict or InvalidInput (bad header)."""
    run = _Import(session, principal, format, codes, settings, tuning or ImportTuning())
    return await run.execute(body, content_length)


class _Import:
    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        format: ImportFormat,
        codes: CodeBook,
        settings: CommonSettings,
        tuning: ImportTuning,
    ) -> None:
        self.session = session
        self.principal = principal
        self.format = format
        self.codes = codes
        self.settings = settings
        self.tuning = tuning
        self.ledger = Ledger()
        self.cutter = ChunkCutter(
            csv=format == "csv",
            target_bytes=tuning.chunk_bytes,
            longest_record=tuning.longest_record,
        )
        self.columns: tuple[str, ...] | None = None
        self.ignored_columns: list[str] = []
        self.workers: ChunkWorkers | None = None
        self.in_flight: deque[Any] = deque()
        self.chunks = 0
        self.bytes = 0
        self.connection: asyncpg.Connection
        self.unwritten: ChunkPlan | None = None  # the last chunk's rows, until written

    async def execute(self, body: AsyncIterator[bytes], content_length: int | None) -> ImportReport:
        import_id = uuid.uuid4()
        self.connection = await driver_connection(self.session)
        await repository.hold_statistics(self.connection)
        try:
            async for piece in body:
                self.bytes += len(piece)
                if self.bytes > MAX_BODY_BYTES:
                    raise body_too_large()
                for data in self.cutter.feed(piece):
                    await self._dispatch(data, content_length)
            for data in self.cutter.finish():
                await self._dispatch(data, content_length)
            self._read_header()
            while self.in_flight:
                await self._apply(await self._next())
            if self.unwritten is not None:
                await self._write(self.unwritten)
        finally:
            for pending in self.in_flight:
                pending.cancel()
            if self.workers is not None:
                await self.workers.close()
        return await self._finish(import_id)

    def _read_header(self) -> None:
        if self.format == "csv" and self.columns is None and self.cutter.header is not None:
            self.columns, self.ignored_columns = parse_header(self.cutter.header)

    async def _dispatch(self, data: bytes, content_length: int | None) -> None:
        if self.workers is None:
            self._read_header()
            context = ParserContext(
                format=self.format,
                columns=self.columns,
                scope_area=self.principal.area,
                codes={name: frozenset(lst) for name, lst in self.codes.lists.items()},
                data_keys=self.settings.data_keys,
                data_key_current=self.settings.data_key_current,
                blind_index_key=self.settings.blind_index_key,
            )
            mode = self.tuning.mode_for(content_length)
            self.workers = ChunkWorkers(context, mode, self.tuning.workers)
        self.chunks += 1
        self.in_flight.append(self.workers.submit(Chunk(self.chunks, data)))
        # Keep every worker busy, plus one chunk ready, while the database works.
        while len(self.in_flight) > self.workers.workers:
            await self._apply(await self._next())

    async def _next(self) -> ChunkResult:
        assert self.workers is not None
        return await self.workers.result(self.in_flight.popleft())

    async def _apply(self, result: ChunkResult) -> None:
        ledger = self.ledger
        if ledger.rows + result.records > MAX_ROWS:
            raise ImportTooLarge(f"The file has more than {MAX_ROWS} rows.")
        connection = self.connection
        existing = await repository.registered_households(
            connection, ledger.unknown_households(result)
        )
        active = await repository.active_memberships(connection, result.person_index)
        # The previous chunk's rows go to the database while the ledger takes in this one, in a
        # thread so the loop can feed the COPY. This chunk's look-ups could run before those
        # rows were written: they ask only for household numbers the ledger has not seen (so
        # none of those rows) and for people, whom the ledger checks against every row taken
        # in before it looks at what the database said.
        writing = None
        if self.unwritten is not None:
            writing = asyncio.ensure_future(self._write(self.unwritten))
            self.unwritten = None
        try:
            self.unwritten = await asyncio.to_thread(ledger.absorb, result, existing, active)
        finally:
            if writing is not None:
                await writing

    async def _write(self, plan: ChunkPlan) -> None:
        connection = self.connection
        try:
            if plan.households:
                await repository.copy_rows(
                    connection, "households", encoding.HOUSEHOLD_COLUMNS, plan.households
                )
            if plan.members:
                await repository.copy_rows(
                    connection, "members", encoding.MEMBER_COLUMNS, plan.members
                )
            if plan.changes:
                await repository.copy_rows(
                    connection, "changes", encoding.CHANGE_COLUMNS, plan.changes
                )
        except asyncpg.UniqueViolationError:
            # The chunk's look-ups found these free; a concurrent write took them since.
            raise ImportConflict() from None
        if plan.grown:
            await repository.add_member_counts(connection, plan.grown)

    async def _finish(self, import_id: uuid.UUID) -> ImportReport:
        ledger = self.ledger
        ledger.finish()
        if ledger.unloaded:
            await repository.unload_households(self.connection, ledger.unloaded)
        await repository.add_to_figures(self.connection, loaded_figures(ledger.loaded()))
        loaded = ledger.loaded()
        report = ImportReport(
            import_id=import_id,
            received=ledger.received,
            households_created=len(loaded),
            members_created=sum(household.members for household in loaded),
            unchanged=ledger.unchanged,
            rejected_count=ledger.rejections.count,
            rejected=[
                RejectedRow(row=row, field=field, rule=rule, message=message)
                for row, field, rule, message in ledger.rejections.report()
            ],
            ignored_columns=self.ignored_columns,
        )
        await record_audit(
            self.session,
            self.principal,
            action="import",
            entity="household_import",
            entity_id=str(import_id),
            area_code=self.principal.area,
            details={
                "format": self.format,
                "bytes": self.bytes,
                **report.model_dump(
                    include={
                        "received",
                        "households_created",
                        "members_created",
                        "unchanged",
                        "rejected_count",
                    }
                ),
            },
        )
        return report
