"""The asyncpg connection under a session, for COPY, array statements and constant statements
on hot paths.

SQLAlchemy's execution of a statement (compiled-cache lookup, parameter processing, result
metadata) costs about 0.2 ms of CPU more than asyncpg's own, several times the driver's cost
and more than a round trip on loopback. Statements run this way are in the session's
transaction like any other; their errors are asyncpg's (the error handlers know both).

SQLAlchemy invalidates a pooled connection when one of its own statements finds it broken; it
never sees the driver's errors. So whoever runs statements on the driver connection passes
their errors to `discard_if_broken` before ending the session (the unit of work does, for
every route): a connection a database restart broke is then dropped, not pooled again.
"""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.common.errors import server_unavailable

_USED = "driver_connection"  # session.info: the connection whose driver ran statements


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The session's asyncpg connection, inside the session's transaction."""
    connection: AsyncConnection | None = session.info.get(_USED)
    if connection is None or connection.closed or connection.invalidated:
        # Asked of the session only once per checkout: each ask is a greenlet switch.
        connection = await session.connection()
        session.info[_USED] = connection
    raw = connection.sync_connection.connection  # type: ignore[union-attr]  # checked out: no I/O
    driver = raw.driver_connection
    assert isinstance(driver, asyncpg.Connection)
    adapter = raw.dbapi_connection
    # SQLAlchemy's adapter sends BEGIN lazily, before its first statement. When none has run
    # yet, begin the way it would (its isolation level; it then commits or rolls back that
    # transaction) rather than spend a statement through the session on it.
    if adapter._transaction is None:  # type: ignore[union-attr]
        await _begin(connection, adapter)
    return driver


async def _begin(connection: AsyncConnection, adapter: object) -> None:
    try:
        await adapter._start_transaction()  # type: ignore[attr-defined]
    except BaseException as error:
        # Nothing of SQLAlchemy's ran, so it would pool the connection again as it is.
        await _invalidate(connection, error)
        # The adapter wraps asyncpg's error in its own DB-API class, which the error handlers
        # do not know (a database restart must answer 503, not 500): raise asyncpg's.
        cause = error.__cause__
        if isinstance(cause, asyncpg.PostgresError | asyncpg.InterfaceError):
            raise cause from error
        if isinstance(cause, asyncpg.InternalClientError):
            # "cannot switch to state ...; another operation is in progress": the pool lent a
            # connection an interrupted request left mid-operation. It is dropped above; the
            # request answers 503 like a lost connection, and its retry gets a new one.
            raise asyncpg.ConnectionDoesNotExistError(str(cause)) from error
        raise


async def commit_on_driver(session: AsyncSession) -> bool:
    """Commit the session's transaction with the driver alone, when its driver ran statements
    and the ORM holds nothing to flush: the same COMMIT without SQLAlchemy's commit machinery
    (a greenlet and the session's transaction bookkeeping, about a tenth of a small write's
    CPU). False, having done nothing, otherwise. The session must still be closed or rolled
    back afterwards (its rollback then finds no transaction on the driver and sends nothing).
    Only for a session whose connection the pool lent: a session joined to a caller's
    transaction (tests) must commit through SQLAlchemy, which releases its savepoint."""
    connection: AsyncConnection | None = session.info.get(_USED)
    if (
        connection is None
        or connection.closed
        or connection.invalidated
        # A flush that failed leaves the session inactive: SQLAlchemy's commit refuses it.
        or not session.is_active
        or session.new
        or session.dirty
        or session.deleted
    ):
        return False
    adapter = connection.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]
    transaction = adapter._transaction  # type: ignore[union-attr]
    if transaction is None:
        return False
    # As the adapter's own commit does: whether COMMIT succeeded or not, the transaction is
    # over (a failed COMMIT rolled back), so the adapter forgets it.
    try:
        await adapter._call_and_discard(transaction.commit)  # type: ignore[union-attr]
    except asyncpg.IntegrityConstraintViolationError as error:
        # A deferred constraint refused the COMMIT: a write that lost a race, answered as
        # when SQLAlchemy commits (409 `write_conflict`), not as a bug of a driver statement.
        raise IntegrityError("COMMIT", None, error) from error
    return True


def leaves_connection_broken(error: BaseException) -> bool:
    """Whether `error`, raised by a statement on the driver connection, may have left that
    connection unusable: anything but an error the server answered to a statement (which only
    aborts the transaction). An interrupted operation (cancelled, timed out) counts: asyncpg
    refuses the next one ('another operation is in progress')."""
    if isinstance(error, asyncpg.PostgresError):
        return server_unavailable(error)
    return isinstance(
        error, asyncpg.InterfaceError | OSError | TimeoutError | asyncio.CancelledError
    )


async def discard_if_broken(session: AsyncSession, error: BaseException) -> None:
    """Invalidate the connection whose driver the session used when `error` may have broken
    it (see `leaves_connection_broken`), so that the pool closes it instead of lending it
    again."""
    connection = session.info.pop(_USED, None)
    if connection is not None and leaves_connection_broken(error):
        await _invalidate(connection, error)


async def _invalidate(connection: AsyncConnection, error: BaseException) -> None:
    if not connection.closed and not connection.invalidated:
        await connection.invalidate(error if isinstance(error, Exception) else None)
