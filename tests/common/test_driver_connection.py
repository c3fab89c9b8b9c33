"""Statements sent to the session's own asyncpg connection (the funds payment, COPY and array
statements of the bulk paths) run inside the session's transaction, also when they are its
first statement, and SQLAlchemy then knows that transaction (one BEGIN, ended by its rollback)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from services.common.driver import driver_connection


async def test_the_driver_connection_is_inside_the_sessions_transaction(
    engines: dict[str, AsyncEngine],
) -> None:
    async with async_sessionmaker(engines["funds"])() as session:
        driver = await driver_connection(session)  # before any statement of the session
        assert driver.is_in_transaction()
        through_driver = await driver.fetchval("SELECT pg_current_xact_id()::text")
        through_session = await session.scalar(text("SELECT pg_current_xact_id()::text"))
        assert through_driver == through_session
        await session.rollback()
        assert not driver.is_in_transaction()
