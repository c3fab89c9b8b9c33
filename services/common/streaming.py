"""Long streamed responses: a body that always releases what it holds, and a read snapshot on a
connection of its own.

The unit of work commits before a response leaves, so a body that reads the database while it
streams cannot use the request's session: it opens its own connection, reads inside one
REPEATABLE READ, READ ONLY transaction (every chunk sees the same snapshot) and closes it when
the body ends, fails or the client goes away.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from services.common.database import Database


class ClosingStreamingResponse(StreamingResponse):
    """A StreamingResponse that closes its body iterator however the response ends.

    Starlette leaves an unfinished iterator to the garbage collector when the client
    disconnects; closing it here releases a database connection or an upstream response at once.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            close = getattr(self.body_iterator, "aclose", None)
            if close is not None:
                with anyio.CancelScope(shield=True):
                    await close()


@asynccontextmanager
async def read_snapshot(database: Database) -> AsyncIterator[AsyncConnection]:
    """A connection in a REPEATABLE READ, READ ONLY transaction, closed (and so given back to
    the pool) on exit, even when the exit is a cancellation.

    Bound to a single connection (the test suite's), the snapshot is a savepoint on it: the
    test's own uncommitted rows are what there is to read."""
    bind = database.bind
    if isinstance(bind, AsyncConnection):
        savepoint = await bind.begin_nested()
        try:
            yield bind
        finally:
            with anyio.CancelScope(shield=True):
                await savepoint.rollback()
        return
    connection = await bind.connect()
    try:
        await connection.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        await connection.begin()
        yield connection
    finally:
        with anyio.CancelScope(shield=True):
            await connection.close()
