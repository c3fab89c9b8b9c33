"""The asyncpg connection under a session, for constant statements on hot paths.

SQLAlchemy's execution of a statement (compiled-cache lookup, parameter processing, result
metadata) costs about 0.15 ms of CPU more than asyncpg's own, several times the driver's cost
and more than a round trip on loopback. Statements run this way are in the session's
transaction like any other; their errors are asyncpg's (the error handlers know both).
"""

from __future__ import annotations

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The session's asyncpg connection, inside the session's transaction."""
    # The pooled connection of a begun session connection: an attribute, no await.
    raw = (await session.connection()).sync_connection.connection  # type: ignore[union-attr]
    driver = raw.driver_connection
    assert isinstance(driver, asyncpg.Connection)
    # SQLAlchemy's adapter sends BEGIN lazily, before its first statement; when none has run
    # yet, begin the way it would (its isolation level, and it then knows the transaction
    # is open), rather than spend a round trip on an empty statement through the session.
    adapter = raw.dbapi_connection
    if adapter._transaction is None:  # type: ignore[union-attr]
        try:
            await adapter._start_transaction()  # type: ignore[union-attr]
        except Exception as error:
            # The adapter wraps asyncpg's error in its own DB-API class, which the error
            # handlers do not know (a database restart answered 500, not 503): raise asyncpg's.
            cause = error.__cause__
            if isinstance(cause, asyncpg.PostgresError | asyncpg.InterfaceError):
                raise cause from error
            raise
    return driver
