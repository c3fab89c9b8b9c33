"""The asyncpg connection under a session, for the bulk paths (COPY, array statements)."""

from __future__ import annotations

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session, inside the session's transaction (a statement
    through the session first makes sure the transaction has begun, since SQLAlchemy begins
    it lazily and a statement sent straight to the driver before would run on its own)."""
    connection = await session.connection()
    await connection.execute(text("SELECT 1"))
    raw = await connection.get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection  # type: ignore[assignment]
    return driver
