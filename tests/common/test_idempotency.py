"""Idempotency-Key: replay, reuse with another body, per-caller scope, concurrent duplicates."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from gateway.models import User
from services.common.auth.roles import Role
from tests.support.identities import COUNTY, NATION, TokenFactory


def new_user(username: str) -> dict[str, str]:
    return {
        "username": username,
        "display_name": "王芳",
        "role": "county_approver",
        "area_code": COUNTY,
    }


async def count_users(app: FastAPI, username: str) -> int:
    async with app.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).where(User.username == username)) or 0)


async def test_replay_returns_the_stored_response_and_writes_once(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    headers = {**tokens.administrator(), "Idempotency-Key": "create-wang-1"}
    first = await gateway.post("/api/v1/users", json=new_user("wang.fang"), headers=headers)
    second = await gateway.post("/api/v1/users", json=new_user("wang.fang"), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["location"] == first.headers["location"]
    assert "idempotent-replayed" not in first.headers
    assert await count_users(apps["gateway"], "wang.fang") == 1


async def test_same_key_with_another_body_is_rejected(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    headers = {**tokens.administrator(), "Idempotency-Key": "create-2"}
    await gateway.post("/api/v1/users", json=new_user("li.na"), headers=headers)
    other = await gateway.post("/api/v1/users", json=new_user("li.na2"), headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


async def test_keys_are_scoped_to_the_caller(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    key = {"Idempotency-Key": "shared-key"}
    mine = await gateway.post(
        "/api/v1/users", json=new_user("zhou.yu"), headers={**tokens.administrator(), **key}
    )
    theirs = await gateway.post(
        "/api/v1/users",
        json=new_user("zhou.yu2"),
        headers={**tokens.headers(Role.ADMINISTRATOR, NATION, sub="user:someone-else"), **key},
    )
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert await count_users(apps["gateway"], "zhou.yu2") == 1


async def test_errors_are_not_stored_so_a_corrected_retry_is_not_blocked(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    headers = {**tokens.administrator(), "Idempotency-Key": "retry-after-error"}
    bad = await gateway.post(
        "/api/v1/users", json={**new_user("ma.li"), "area_code": "411424999000"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"
    same = await gateway.post(
        "/api/v1/users", json={**new_user("ma.li"), "area_code": "411424999000"}, headers=headers
    )
    assert same.status_code == 422


async def test_concurrent_duplicates_write_once(
    committing_gateway: AsyncClient, committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    headers = {**tokens.administrator(), "Idempotency-Key": str(uuid.uuid4())}
    answers = await asyncio.gather(
        *[
            committing_gateway.post("/api/v1/users", json=new_user("he.jun"), headers=headers)
            for _ in range(8)
        ]
    )
    statuses = sorted(answer.status_code for answer in answers)
    created = [
        a for a in answers if a.status_code == 201 and "idempotent-replayed" not in a.headers
    ]
    in_progress = [a for a in answers if a.status_code == 409]
    replayed = [a for a in answers if a.headers.get("idempotent-replayed") == "true"]
    assert len(created) == 1, statuses
    assert len(in_progress) + len(replayed) == 7, statuses
    assert all(a.json()["code"] == "idempotency_request_in_progress" for a in in_progress)
    assert all(a.json() == created[0].json() for a in replayed)
    assert await count_users(committing_apps["gateway"], "he.jun") == 1


async def test_a_multipart_retry_with_a_new_boundary_is_a_replay(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    upload = {
        "file": (
            "townships.csv",
            "code,name,parent_code\n411424105000,长江镇,\n".encode(),
            "text/csv",
        )
    }
    headers = {**tokens.county_admin(), "Idempotency-Key": "import-townships-1"}
    first = await gateway.post("/api/v1/areas/import", files=upload, headers=headers)
    second = await gateway.post("/api/v1/areas/import", files=upload, headers=headers)
    assert first.status_code == second.status_code == 200, first.text
    assert first.json()["created"] == 1
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
