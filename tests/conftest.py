"""Fixtures shared by the whole suite.

The suite runs against real PostgreSQL: the server named by DATABASE_URL, or the embedded one.
Its databases (prefix `dixian_test_`) are created and migrated once per session, which tests the
migrations too. Each test runs inside a transaction that is rolled back at the end; tests that
need real commits (concurrency, the change feed) use the `committing_*` fixtures, whose rows are
removed afterwards.
"""

from __future__ import annotations

import os

os.environ.setdefault("DATABASE_PREFIX", "dixian_test_")
os.environ.setdefault("LOG_JSON", "true")

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from scripts import bootstrap, embedded_db
from services.common.database import Database
from services.common.settings import CommonSettings
from tests.support.apps import APP_BUILDERS, cleanup_committed, wire_upstreams
from tests.support.identities import TokenFactory

# The server is settled before any test module is imported, so that modules building apps at
# import time (the fuzzing tests) already see the right DATABASE_URL.
STARTED_EMBEDDED_SERVER = "DATABASE_URL" not in os.environ and not embedded_db.is_running()
bootstrap.ensure_server()


@pytest.fixture(scope="session")
def settings() -> Iterator[CommonSettings]:
    """Databases created and migrated; an embedded server the suite started is stopped after."""
    yield bootstrap.prepare()
    if STARTED_EMBEDDED_SERVER:
        embedded_db.stop()


@pytest.fixture(scope="session")
async def engines(settings: CommonSettings) -> AsyncIterator[dict[str, AsyncEngine]]:
    """One pool per database, acting as the application role like the apps do."""
    databases = {
        name: Database.connect(
            settings.service_database_url(name), role=settings.database_role, pool_size=5
        )
        for name in bootstrap.DATABASES
    }
    yield {name: db.bind for name, db in databases.items()}  # type: ignore[misc]
    for db in databases.values():
        await db.dispose()


@pytest.fixture
async def apps(engines: dict[str, AsyncEngine]) -> AsyncIterator[dict[str, FastAPI]]:
    """All four apps, each bound to one connection inside a transaction rolled back afterwards;
    the gateway's upstream clients reach the service apps in-process."""
    built: dict[str, FastAPI] = {}
    opened = []
    for name, build in APP_BUILDERS.items():
        app = build()
        connection = await engines[name].connect()
        transaction = await connection.begin()
        opened.append((connection, transaction))
        app.state.database = Database(connection)
        built[name] = app
    wire_upstreams(built)
    yield built
    for client in built["gateway"].state.upstreams.values():
        await client.aclose()
    for connection, transaction in opened:
        await transaction.rollback()
        await connection.close()


@pytest.fixture
async def committing_apps(
    engines: dict[str, AsyncEngine], settings: CommonSettings
) -> AsyncIterator[dict[str, FastAPI]]:
    """All four apps on real pools: every request commits. Rows are removed afterwards."""
    built = {name: build() for name, build in APP_BUILDERS.items()}
    for name, app in built.items():
        app.state.database = Database(engines[name])
    wire_upstreams(built)
    yield built
    for client in built["gateway"].state.upstreams.values():
        await client.aclose()
    await cleanup_committed(settings)


def _client_factory(apps: dict[str, FastAPI]) -> Callable[[str], httpx.AsyncClient]:
    def make(name: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps[name]), base_url=f"http://{name}.test"
        )

    return make


@pytest.fixture
async def gateway(apps: dict[str, FastAPI]) -> AsyncIterator[httpx.AsyncClient]:
    async with _client_factory(apps)("gateway") as client:
        yield client


@pytest.fixture
async def committing_gateway(
    committing_apps: dict[str, FastAPI],
) -> AsyncIterator[httpx.AsyncClient]:
    async with _client_factory(committing_apps)("gateway") as client:
        yield client


@pytest.fixture
def client_for(apps: dict[str, FastAPI]) -> Callable[[str], httpx.AsyncClient]:
    """`client_for("monitoring")`: a client talking to one app directly."""
    return _client_factory(apps)


@pytest.fixture(scope="session")
def tokens() -> TokenFactory:
    return TokenFactory()
