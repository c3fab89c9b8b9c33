"""The session's asyncpg connection for the registry's writes, found once per transaction.

`driver_connection` goes through SQLAlchemy's async session and connection (two greenlet
switches, about 30 us of CPU); a pushed batch asks for the connection several times per
operation, so the connection is remembered with the transaction it belongs to, and asked for
again when the session has moved on to another transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.driver import driver_connection
from services.common.errors import UNSTORABLE_TEXT, FieldProblem, InvalidInput

REMEMBERED = "dixian.monitoring.driver"


async def driver(session: AsyncSession) -> asyncpg.Connection:
    """The session's asyncpg connection, inside the session's transaction."""
    transaction = session.sync_session.get_transaction()
    remembered = session.info.get(REMEMBERED)
    if transaction is not None and remembered is not None and remembered[0] is transaction:
        connection: asyncpg.Connection = remembered[1]
        return connection
    connection = await driver_connection(session)
    session.info[REMEMBERED] = (session.sync_session.get_transaction(), connection)
    return connection


@contextmanager
def text_refused_as_invalid() -> Iterator[None]:
    """Text the database cannot store (a NUL character) is the client's bad input: 422, as the
    error handlers answer SQLAlchemy's error, rather than asyncpg's own error and a 500."""
    try:
        yield
    except asyncpg.PostgresError as error:
        if error.sqlstate not in UNSTORABLE_TEXT:
            raise
        message = "NUL and invalid bytes are refused"
        raise InvalidInput(
            "The request contains characters that cannot be stored (such as NUL).",
            fields=[FieldProblem(field="body", rule="unsupported_character", message=message)],
        ) from None
