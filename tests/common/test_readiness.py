"""/healthz answers while the process lives; /readyz only when the database is reachable and
at the migration head."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.database import Database
from services.common.settings import CommonSettings
from tests.support.apps import APP_BUILDERS


@pytest.mark.parametrize("app_name", list(APP_BUILDERS))
async def test_ready_at_head(client_for: Callable[[str], AsyncClient], app_name: str) -> None:
    async with client_for(app_name) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["migrations"]["current"] == checks["migrations"]["head"]


async def test_not_ready_when_the_schema_is_behind(settings: CommonSettings) -> None:
    app = APP_BUILDERS["funds"]()
    owner = create_async_engine(settings.service_database_url("funds"))
    try:
        async with owner.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(
                text("UPDATE alembic_version SET version_num = 'an-older-one'")
            )
            app.state.database = Database(connection)
            async with AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client:
                answer = await client.get("/readyz")
                alive = await client.get("/healthz")
            await transaction.rollback()
    finally:
        await owner.dispose()
    assert answer.status_code == 503
    assert answer.json()["status"] == "not_ready"
    assert answer.json()["checks"]["migrations"]["current"] == "an-older-one"
    assert alive.status_code == 200


async def test_not_ready_when_the_database_is_unreachable() -> None:
    app = APP_BUILDERS["employment"]()
    app.state.database = Database.connect(
        "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere", role=None, pool_size=1
    )
    async with AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.get("/readyz")
    await app.state.database.dispose()
    assert answer.status_code == 503
    assert answer.json()["checks"]["database"].startswith("unreachable")
