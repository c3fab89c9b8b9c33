"""Applying a pushed batch: one savepoint per operation holding its writes and its
`sync_operations` row, so one failing operation undoes nothing else, and an operation id
already applied answers its stored outcome instead of applying twice. The outcomes are answered
only after the batch is committed: an answer lost, or a commit failed, is recovered by
resending the batch.

A batch commits once, or once per group of operations when it is long. Not per operation: each
commit waits for a WAL flush (about 3 ms on the benchmark machine, more than a simple
operation's statements), and a savepoint costs none. But a savepoint that writes takes a
subtransaction id, and PostgreSQL keeps only 64 of them per transaction in shared memory
(`PGPROC_MAX_CACHED_SUBXIDS`): past that the transaction "overflows", and until it ends every
other session's snapshot must look its in-progress ids up in `pg_subtrans`, which slows the
whole server. So the operations are applied in groups that take at most 64 ids, each group its
own transaction. When a later group fails (503), the earlier ones are kept; the device resends
the batch, and their operations answer `already_applied`.

The append-only rows of a group (audit log, change feed, `sync_operations`) are held in memory
and inserted together before its commit, one statement per table instead of several per
operation; an operation that fails drops its held rows with its savepoint. Pushes of one
principal take turns, group by group (`serialize_pushes`), so no other push can store the same
operation id meanwhile, and an operation naming one created earlier in the batch finds it in
`applied`."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import asyncpg
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.database import Database
from services.common.driver import discard_if_broken, driver_connection, leaves_connection_broken
from services.common.errors import DixianError, PreconditionFailed
from services.common.held_rows import HeldRows, hold_rows, insert_held_rows
from services.common.personal_data import Protector
from services.monitoring.codes.book import CodeBook
from services.monitoring.households import service as households
from services.monitoring.settings import MonitoringSettings
from services.monitoring.sync import repository
from services.monitoring.sync.fields import in_operation
from services.monitoring.sync.handlers import (
    Applied,
    Context,
    DependencyPending,
    apply,
    households_touched,
    runs_on_driver,
)
from services.monitoring.sync.parsing import Parsed, parse
from services.monitoring.sync.repository import StoredOperation
from services.monitoring.sync.savepoints import Savepoints
from services.monitoring.sync.schemas import OperationProblem, Outcome

logger = logging.getLogger("dixian.sync")
# Nothing is stored for these: the same operation sent later may well apply.
RETRYABLE = {DependencyPending.code, "write_conflict", "database_unavailable", "internal_error"}


# Subtransaction ids a group of operations may take: PostgreSQL caches 64 a transaction.
SUBTRANSACTION_IDS = 64


async def push(
    database: Database,
    principal: Principal,
    book: CodeBook,
    protector: Protector,
    settings: MonitoringSettings,
    raw_operations: list[Any],
) -> list[Outcome]:
    """The outcome of every operation, in the order sent, once all are committed."""
    parsed = [parse(index, raw) for index, raw in enumerate(raw_operations)]
    applied: dict[uuid.UUID, StoredOperation] = {}
    outcomes: list[Outcome] = []
    for group in groups(parsed):
        outcomes += await _push_group(
            database, principal, book, protector, settings, group, applied
        )
    return outcomes


def groups(parsed: list[Parsed | Outcome]) -> list[list[Parsed | Outcome]]:
    """The batch cut into groups of consecutive operations that together take at most
    SUBTRANSACTION_IDS subtransaction ids: one for an operation on the driver (its savepoint),
    two for one through the ORM (its savepoint nests in the driver's, which then takes an id
    too). Operations refused before they run take none."""
    cut: list[list[Parsed | Outcome]] = [[]]
    taken = 0
    for item in parsed:
        ids = 0 if isinstance(item, Outcome) else 1 if runs_on_driver(item.operation) else 2
        if taken + ids > SUBTRANSACTION_IDS:
            cut.append([])
            taken = 0
        cut[-1].append(item)
        taken += ids
    return cut


async def _push_group(
    database: Database,
    principal: Principal,
    book: CodeBook,
    protector: Protector,
    settings: MonitoringSettings,
    group: list[Parsed | Outcome],
    applied: dict[uuid.UUID, StoredOperation],
) -> list[Outcome]:
    """Apply one group in one transaction; `applied` gains the group's applied operations."""
    wanted = [item.operation.operation_id for item in group if isinstance(item, Parsed)]
    outcomes = []
    async with database.sessionmaker() as session:
        try:
            await repository.serialize_pushes(session, principal.subject)
            # Asked again for every group: between two groups, another push of the same
            # principal (this batch resent) may have stored some of them.
            applied.update(await repository.stored_operations(session, principal.subject, wanted))
            session.expunge_all()
            pending = [item.operation for item in group if isinstance(item, Parsed)]
            pending = [op for op in pending if op.operation_id not in applied]
            touched = await households_touched(session, principal, pending)
            await households.lock_households(session, principal, touched)
            held = hold_rows(session)
            savepoints = Savepoints(session, await driver_connection(session))
            ctx = Context(session, principal, book, protector, settings, business_today(), applied)
            for item in group:
                if isinstance(item, Outcome):
                    outcomes.append(item)
                    continue
                earlier = applied.get(item.operation.operation_id)
                if earlier is None:
                    outcome, earlier = await _apply_one(ctx, held, savepoints, item)
                    if earlier is not None:
                        applied[earlier.operation_id] = earlier
                    outcomes.append(outcome)
                else:
                    outcomes.append(_replayed(item, earlier))
            await insert_held_rows(session)
            await session.commit()
        except BaseException as error:
            # Statements ran on the driver, whose errors SQLAlchemy never sees.
            await discard_if_broken(session, error)
            raise
    return outcomes


async def _apply_one(
    ctx: Context, held: HeldRows, savepoints: Savepoints, item: Parsed
) -> tuple[Outcome, StoredOperation | None]:
    op, session, subject = item.operation, ctx.session, ctx.principal.subject
    on_driver, kept = runs_on_driver(op), False
    try:
        with held.dropped_on_error():
            async with savepoints.operation(on_driver=on_driver):
                applied = await apply(ctx, op)
                outcome = _applied(item, applied)
                stored = outcome.model_dump(mode="json", exclude={"index"})
                await repository.store_operation(
                    session, subject, op.operation_id, op.kind, item.digest, stored
                )
        kept = True
    except PreconditionFailed as exc:
        return _conflict(item, exc), None
    except DixianError as exc:
        fields = in_operation(item.index, item.operation, exc.fields)
        return _rejected(item, exc.code, exc.detail, fields), None
    except (IntegrityError, asyncpg.IntegrityConstraintViolationError):
        # The write lost a race with another principal's.
        return _rejected(item, "write_conflict", "The write met a concurrent one; resend it."), None
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise  # the batch's transaction is gone: 503, and the device resends the batch
        return _database_failed(item), None
    except asyncpg.PostgresError as exc:
        if leaves_connection_broken(exc):
            raise
        return _database_failed(item), None
    finally:
        if not on_driver:
            # Every operation starts from the database's rows, as in a session of its own: none
            # sees another's loaded (or rolled back) objects. (Registry operations on the
            # driver load nothing into the session.)
            session.expunge_all()
        if not (on_driver and kept):
            # The households locked ahead may have changed otherwise, or been changed by writes
            # now undone.
            households.forget_locked_households(session)
    return outcome, StoredOperation(op.operation_id, op.kind, item.digest, stored)


def _database_failed(item: Parsed) -> Outcome:
    logger.exception("sync operation failed in the database")
    return _rejected(item, "database_unavailable", "The database failed; resend it.")


def _applied(item: Parsed, applied: Applied) -> Outcome:
    return Outcome(
        index=item.index,
        operation_id=item.operation.operation_id,
        kind=item.operation.kind,
        status="applied",
        entity=applied.entity,
        record_id=applied.record_id,
        version=applied.version,
        related=applied.related,
    )


def _replayed(item: Parsed, earlier: StoredOperation) -> Outcome:
    if earlier.payload_sha256 != item.digest:
        return _rejected(
            item,
            "operation_id_reused",
            "This operation id was applied with another operation; use a new id.",
        )
    return Outcome.model_validate(
        {**earlier.outcome, "index": item.index, "status": "already_applied"}
    )


def _conflict(item: Parsed, exc: PreconditionFailed) -> Outcome:
    return Outcome(
        index=item.index,
        operation_id=item.operation.operation_id,
        kind=item.operation.kind,
        status="conflict",
        current=exc.extra.get("current"),
        conflicting_fields=exc.extra.get("conflicting_fields"),
        problem=OperationProblem(code=exc.code, detail=exc.detail),
    )


def _rejected(item: Parsed, code: str, detail: str, fields: Any = None) -> Outcome:
    return Outcome(
        index=item.index,
        operation_id=item.operation.operation_id,
        kind=item.operation.kind,
        status="rejected",
        problem=OperationProblem(
            code=code, detail=detail, fields=fields, retryable=code in RETRYABLE
        ),
    )
