"""A database that is restarting, shutting down or gone answers 503 `database_unavailable`
(retryable), whether the error comes through SQLAlchemy or from asyncpg directly (the bulk
paths use its connection); any other database error stays a 500. tests/failures restarts a
real server; this pins each error kind the restart produces."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.app import create_app
from services.common.database import Database, SessionDep, UnitOfWorkRouter
from services.common.settings import CommonSettings

RAISED: dict[str, Exception] = {
    "starting_up": asyncpg.CannotConnectNowError("the database system is starting up"),
    "shutting_down": asyncpg.AdminShutdownError("terminating connection (administrator)"),
    "dropped": asyncpg.ConnectionDoesNotExistError("connection was closed in the middle"),
    "closed": asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
    "wrapped_starting_up": DBAPIError(
        "SELECT 1", None, asyncpg.CannotConnectNowError("the database system is starting up")
    ),
    "wrapped_refused": DBAPIError("SELECT 1", None, asyncpg.ConnectionFailureError("refused")),
    "unique": asyncpg.UniqueViolationError("duplicate key"),
    "misuse": asyncpg.InterfaceError("another operation is in progress"),
}


def build() -> httpx.AsyncClient:
    router = APIRouter()

    @router.get("/raise/{kind}")
    async def fail(kind: str) -> None:
        raise RAISED[kind]

    app = create_app(
        name="monitoring", title="t", description="t", settings=CommonSettings(), routers=[router]
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.mark.parametrize(
    "kind",
    ["starting_up", "shutting_down", "dropped", "closed", "wrapped_starting_up", "wrapped_refused"],
)
async def test_a_database_going_away_answers_503(kind: str) -> None:
    async with build() as client:
        answer = await client.get(f"/api/v1/raise/{kind}")
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["code"] == "database_unavailable"


@pytest.mark.parametrize("kind", ["unique", "misuse"])
async def test_other_driver_errors_stay_bugs(kind: str) -> None:
    async with build() as client:
        answer = await client.get(f"/api/v1/raise/{kind}")
    assert answer.status_code == 500, answer.text
    assert answer.json()["code"] == "internal_error"


async def test_a_pool_with_every_connection_busy_answers_503_database_busy() -> None:
    settings = CommonSettings()
    engine = create_async_engine(
        settings.service_database_url("monitoring"),
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.2,
        connect_args={"server_settings": {"role": settings.database_role}},
    )
    router = UnitOfWorkRouter()

    @router.get("/busy")
    async def busy(session: SessionDep) -> dict[str, int]:
        return {"one": (await session.execute(text("SELECT 1"))).scalar_one()}

    app = create_app(
        name="monitoring", title="t", description="t", settings=settings, routers=[router]
    )
    app.state.database = Database(engine)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
            engine.connect() as held,
        ):
            await held.execute(text("SELECT 1"))  # the pool's only connection, kept busy
            answer = await client.get("/api/v1/busy")
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "database_busy"
        assert answer.headers["retry-after"] == "5"
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/api/v1/busy")).json() == {"one": 1}  # free again
    finally:
        await engine.dispose()
