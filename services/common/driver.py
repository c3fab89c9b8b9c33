"""The asyncpg connection under a session, for COPY, array statements and constant statements
on hot paths.

SQLAlchemy's execution of a statement (compiled-cache lookup, parameter processing, result
metadata) costs about 0.15 ms of CPU more than asyncpg's own, several times the driver's cost
and more than a round trip on loopback. Statements run this way are in the session's
transaction like any other; their errors are asyncpg's (the error handlers know both).
"""

from __future__ import annotations

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The session's asyncpg connection, inside the session's transaction."""
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    assert isinstance(driver, asyncpg.Connection)
    if not driver.is_in_transaction():
        # SQLAlchemy sends BEGIN with the session's first statement; until then a statement
        # sent to the driver would run in a transaction of its own. One statement through the
        # session lets SQLAlchemy begin (and later end) the transaction its own way, with its
        # handling of a lost connection.
        await connection.execute(text("SELECT 1"))
    return driver
