"""The audit log is append-only: the application's role cannot change or remove a row, and a
trigger refuses it even to the owner. Reads of a person's record are audited."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.common.settings import CommonSettings
from services.common.tables import audit_log
from tests.support.identities import COUNTY, TokenFactory


@pytest.mark.parametrize("database", ["gateway", "monitoring", "funds", "employment"])
async def test_app_role_cannot_update_or_delete_audit_rows(
    engines: dict[str, AsyncEngine], database: str
) -> None:
    async with engines[database].connect() as connection:
        transaction = await connection.begin()
        assert await connection.scalar(text("SELECT current_user")) == "dixian_app"
        await connection.execute(
            insert(audit_log).values(
                actor="user:t",
                actor_role="administrator",
                action="probe",
                entity="probe",
                entity_id="1",
            )
        )
        for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
            savepoint = await connection.begin_nested()
            with pytest.raises(DBAPIError, match="permission denied"):
                await connection.execute(text(statement))
            await savepoint.rollback()
        await transaction.rollback()


async def test_even_the_owner_cannot_rewrite_history(settings: CommonSettings) -> None:
    owner = create_async_engine(settings.service_database_url("monitoring"))
    try:
        async with owner.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(
                insert(audit_log).values(
                    actor="user:t",
                    actor_role="administrator",
                    action="probe",
                    entity="probe",
                    entity_id="2",
                )
            )
            for statement in (
                "UPDATE audit_log SET action = 'forged'",
                "DELETE FROM audit_log",
                "TRUNCATE audit_log",
            ):
                savepoint = await connection.begin_nested()
                with pytest.raises(DBAPIError, match="append-only"):
                    await connection.execute(text(statement))
                await savepoint.rollback()
            await transaction.rollback()
    finally:
        await owner.dispose()


async def test_reading_and_writing_a_user_is_audited(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    created = await gateway.post(
        "/api/v1/users",
        json={
            "username": "gao.yan",
            "display_name": "高燕",
            "role": "county_approver",
            "area_code": COUNTY,
        },
        headers={
            **tokens.administrator(),
            "Idempotency-Key": str(uuid.uuid4()),
            "X-Request-ID": "req-audit-1",
        },
    )
    user_id = created.json()["id"]
    await gateway.get(
        f"/api/v1/users/{user_id}", headers={**tokens.county_admin(), "X-Request-ID": "req-audit-2"}
    )
    async with apps["gateway"].state.database.sessionmaker() as session:
        rows = (
            await session.execute(
                select(
                    audit_log.c.action,
                    audit_log.c.actor_role,
                    audit_log.c.request_id,
                    audit_log.c.area_code,
                )
                .where(audit_log.c.entity == "user", audit_log.c.entity_id == user_id)
                .order_by(audit_log.c.id)
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("create", "administrator", "req-audit-1", COUNTY),
        ("read", "county_admin", "req-audit-2", COUNTY),
    ]
