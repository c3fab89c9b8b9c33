"""A transaction PostgreSQL aborts to break a deadlock (or a serialization conflict) wrote
nothing and succeeds when sent again: it answers 409 `write_conflict`, like any write that lost
a race, not a 500. Two real requests here take two locks in opposite orders, through the ORM
session and through the driver connection (the bulk and hot paths)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.app import create_app
from services.common.database import Database, SessionDep, UnitOfWorkRouter
from services.common.driver import driver_connection
from services.common.settings import CommonSettings

LOCK = "SELECT pg_advisory_xact_lock($1)"


@pytest.mark.parametrize("path", ["orm", "driver"])
async def test_the_deadlock_victim_answers_409_and_the_other_request_goes_through(
    path: str, settings: CommonSettings
) -> None:
    engine = create_async_engine(
        settings.service_database_url("monitoring"),
        connect_args={"server_settings": {"role": settings.database_role}},
    )
    holding = 0
    both_hold = asyncio.Event()
    router = UnitOfWorkRouter()

    @router.get("/locks/{first}/{second}")
    async def lock_both(first: int, second: int, session: SessionDep) -> dict[str, bool]:
        nonlocal holding
        if path == "driver":
            driver = await driver_connection(session)
            await driver.execute(LOCK, first)
        else:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": first})
        holding += 1
        if holding == 2:
            both_hold.set()
        await both_hold.wait()
        if path == "driver":
            await driver.execute(LOCK, second)
        else:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": second})
        return {"locked": True}

    app = create_app(
        name="monitoring", title="t", description="t", settings=settings, routers=[router]
    )
    app.state.database = Database(engine)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(
                client.get("/api/v1/locks/7301/7302"), client.get("/api/v1/locks/7302/7301")
            )
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [200, 409], [answer.text for answer in answers]
        refused = next(answer for answer in answers if answer.status_code == 409)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "write_conflict"
    finally:
        await engine.dispose()
