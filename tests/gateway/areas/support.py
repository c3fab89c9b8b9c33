"""Helpers shared by the area registry tests."""

from __future__ import annotations

import uuid
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import ColumnElement, func

from services.common.auth.roles import Role
from services.common.tables import changes
from tests.support.identities import COUNTY, TokenFactory

AREAS = "/api/v1/areas"


def idempotent(headers: dict[str, str]) -> dict[str, str]:
    """The headers plus a fresh Idempotency-Key, which every POST needs."""
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


async def register(
    gateway: AsyncClient, headers: dict[str, str], code: str, name: str, **extra: Any
) -> Response:
    return await gateway.post(
        AREAS, json={"code": code, "name": name, **extra}, headers=idempotent(headers)
    )


async def register_ok(
    gateway: AsyncClient, headers: dict[str, str], code: str, name: str, **extra: Any
) -> dict[str, Any]:
    answer = await register(gateway, headers, code, name, **extra)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def problem(answer: Response, status: int, code: str, rule: str | None = None) -> dict[str, Any]:
    """Assert a problem+json answer with this status, code and (first) field rule."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["code"] == code, body
    if rule is not None:
        assert body["fields"][0]["rule"] == rule, body
    return body


def written_here() -> ColumnElement[bool]:
    """Change-feed rows of the test's own transaction: committing tests elsewhere may have left
    rows of their own until their cleanup."""
    return changes.c.txid == func.pg_current_xact_id()


def unique_county_admin(tokens: TokenFactory) -> tuple[dict[str, str], str]:
    """A county administrator with a subject of its own, to find its rows in the audit log
    (append-only, so rows of committing tests stay)."""
    subject = f"user:areas-test-{uuid.uuid4()}"
    return tokens.headers(Role.COUNTY_ADMIN, COUNTY, sub=subject), subject
