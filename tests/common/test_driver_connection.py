"""Statements sent to the session's own asyncpg connection (the funds payment, COPY and array
statements of the bulk paths) run inside the session's transaction, also when they are its
first statement, and SQLAlchemy then knows that transaction (one BEGIN, ended by its rollback)."""

from __future__ import annotations

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from services.common.driver import discard_if_broken, driver_connection, leaves_connection_broken


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


async def test_a_driver_connection_the_server_dropped_is_not_pooled_again(
    engines: dict[str, AsyncEngine],
) -> None:
    """SQLAlchemy never sees errors of statements sent to the driver: `discard_if_broken`
    invalidates the connection, so the pool opens a new one instead of lending it again."""
    engine = engines["funds"]
    async with async_sessionmaker(engine)() as session:
        driver = await driver_connection(session)
        backend = await driver.fetchval("SELECT pg_backend_pid()")
        # As a restart would: the server ends the backend (the app's role may not).
        dsn = engine.url.set(drivername="postgresql", username="postgres")
        admin = await asyncpg.connect(dsn.render_as_string(hide_password=False))
        try:
            # Waits until the backend is gone: a statement sent sooner could still be answered.
            assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)", backend)
        finally:
            await admin.close()
        try:
            await driver.fetchval("SELECT 1")
        except Exception as error:
            dropped = error
        assert leaves_connection_broken(dropped)
        await discard_if_broken(session, dropped)
        await session.rollback()
    async with async_sessionmaker(engine)() as session:
        again = await driver_connection(session)
        assert again is not driver
        assert await again.fetchval("SELECT pg_backend_pid()") != backend


def test_an_error_the_server_answered_leaves_the_connection_usable() -> None:
    assert not leaves_connection_broken(asyncpg.UniqueViolationError("duplicate key"))
    assert not leaves_connection_broken(ValueError("a bug, not the connection"))
    assert leaves_connection_broken(asyncpg.AdminShutdownError("terminating connection"))
    assert leaves_connection_broken(asyncpg.InterfaceError("another operation is in progress"))
