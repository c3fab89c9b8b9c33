"""One transaction per request, committed before the response leaves: a commit that fails
reaches the client as an error, never as a 2xx, and nothing of the request remains."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.app import create_app
from services.common.database import Database, SessionDep, UnitOfWorkRouter
from services.common.driver import driver_connection
from services.common.settings import CommonSettings
from tests.support.identities import TokenFactory

PROBE = "uow_probe"


@pytest.fixture
async def probe_table(settings: CommonSettings) -> AsyncIterator[None]:
    owner = create_async_engine(settings.service_database_url("monitoring"))
    async with owner.begin() as connection:
        await connection.execute(text(f"DROP TABLE IF EXISTS {PROBE}"))
        # Deferred: the violation only shows at COMMIT, after the endpoint has returned.
        await connection.execute(
            text(
                f"CREATE TABLE {PROBE} (name text, "
                "CONSTRAINT uq_uow_probe UNIQUE (name) DEFERRABLE INITIALLY DEFERRED)"
            )
        )
    yield
    async with owner.begin() as connection:
        await connection.execute(text(f"DROP TABLE {PROBE}"))
    await owner.dispose()


def probe_app(settings: CommonSettings) -> httpx.AsyncClient:
    router = UnitOfWorkRouter()

    @router.post("/probe", status_code=201)
    async def write(session: SessionDep, names: list[str]) -> dict[str, int]:
        for name in names:
            await session.execute(text(f"INSERT INTO {PROBE} VALUES (:name)"), {"name": name})
        return {"written": len(names)}

    @router.post("/probe-driver", status_code=201)
    async def write_on_driver(session: SessionDep, names: list[str]) -> dict[str, int]:
        # Only the driver ran statements: the unit of work commits on the driver too.
        driver = await driver_connection(session)
        for name in names:
            await driver.execute(f"INSERT INTO {PROBE} VALUES ($1)", name)
        return {"written": len(names)}

    app = create_app(
        name="monitoring", title="probe", description="", settings=settings, routers=[router]
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://probe")


async def count(settings: CommonSettings) -> int:
    database = Database.connect(settings.service_database_url("monitoring"), role=None)
    async with database.sessionmaker() as session:
        value = await session.scalar(text(f"SELECT count(*) FROM {PROBE}"))
    await database.dispose()
    return int(value or 0)


async def test_failed_commit_is_not_reported_as_success(
    probe_table: None, settings: CommonSettings, tokens: TokenFactory
) -> None:
    async with probe_app(settings) as client:
        headers = {**tokens.administrator(), "Idempotency-Key": "probe-1"}
        answer = await client.post("/api/v1/probe", json=["a", "a"], headers=headers)
        assert answer.status_code == 409, answer.text
        assert answer.json()["code"] == "write_conflict"
        assert await count(settings) == 0
        # Nothing was stored for the key either: the corrected retry goes through.
        retry = await client.post("/api/v1/probe", json=["a", "a"], headers=headers)
        assert retry.status_code == 409
        ok = await client.post(
            "/api/v1/probe", json=["a", "b"], headers={**headers, "Idempotency-Key": "probe-2"}
        )
        assert ok.status_code == 201
        assert await count(settings) == 2
        await client._transport.app.state.database.dispose()  # type: ignore[attr-defined]


async def test_failed_commit_on_the_driver_is_not_reported_as_success(
    probe_table: None, settings: CommonSettings, tokens: TokenFactory
) -> None:
    async with probe_app(settings) as client:
        headers = {**tokens.administrator(), "Idempotency-Key": "probe-driver-1"}
        answer = await client.post("/api/v1/probe-driver", json=["a", "a"], headers=headers)
        assert answer.status_code == 409, answer.text
        assert answer.json()["code"] == "write_conflict"
        assert await count(settings) == 0
        retry = await client.post("/api/v1/probe-driver", json=["a", "a"], headers=headers)
        assert retry.status_code == 409
        # The connection went back to the pool clean: the next requests commit and replay.
        headers = {**headers, "Idempotency-Key": "probe-driver-2"}
        for _ in range(2):
            ok = await client.post("/api/v1/probe-driver", json=["a", "b"], headers=headers)
            assert ok.status_code == 201, ok.text
        assert ok.headers.get("Idempotent-Replayed") == "true"
        assert await count(settings) == 2
        await client._transport.app.state.database.dispose()  # type: ignore[attr-defined]
