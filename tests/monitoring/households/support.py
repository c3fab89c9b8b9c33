"""Helpers for the registry tests."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from services.common.tables import audit_log, changes
from services.monitoring.models import AreaFigure
from tests.support.identities import VILLAGE
from tests.support.monitoring import person_number


def member(relationship: str = "head", name: str = "王建国", **extra: Any) -> dict[str, Any]:
    return {
        "person_number": extra.pop("person_number", None) or person_number(birth=date(1975, 4, 2)),
        "name": name,
        "relationship": relationship,
        "labour_ability": "ordinary",
        **extra,
    }


def household(members: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "area_code": VILLAGE,
        "kind": "exited_poverty",
        "address": "三组12号",
        "phone": "13812345678",
        "members": members or [member(), member("spouse", "李秀英"), member("son", "王小明")],
        **extra,
    }


def posting(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


async def register(client: AsyncClient, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    answer = await client.post(
        "/api/v1/households", json=household(**extra), headers=posting(headers)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def figures(app: FastAPI, area_code: str = VILLAGE) -> dict[str, int]:
    async with app.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(AreaFigure.metric, AreaFigure.value).where(
                AreaFigure.area_code == area_code, AreaFigure.year == 0
            )
        )
        return {metric: value for metric, value in rows.all() if value}


async def writes(app: FastAPI) -> tuple[int, int]:
    """Rows of the change feed and write actions of the audit log (a read is no write)."""
    async with app.state.database.sessionmaker() as session:
        fed = await session.scalar(select(func.count()).select_from(changes))
        audited = await session.scalar(
            select(func.count())
            .select_from(audit_log)
            .where(audit_log.c.action.not_in(["read", "list", "export"]))
        )
    return int(fed or 0), int(audited or 0)
