"""Helpers shared by the help-plan, measure and visit tests."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import select, update

from services.common.business_time import business_today
from services.monitoring.models import AreaFigure, Household
from tests.support.identities import VILLAGE


def posting(headers: dict[str, str]) -> dict[str, str]:
    """The headers plus a fresh Idempotency-Key, which every POST needs."""
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


def if_match(headers: dict[str, str], version: int | str) -> dict[str, str]:
    return {**headers, "If-Match": f'"{version}"'}


def problem(answer: Response, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """Assert a problem+json answer with this status and code, naming `field` if given."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["code"] == code, body
    if field is not None:
        assert field in [problem["field"] for problem in body["fields"]], body
    return body


def rule_of(answer: Response, field: str) -> str:
    body = answer.json()
    return next(str(item["rule"]) for item in body["fields"] if item["field"] == field)


def days_ago(days: int) -> date:
    return business_today() - timedelta(days=days)


async def set_dates(
    app: FastAPI,
    household_id: uuid.UUID,
    *,
    identified_on: date | None = None,
    eliminated_on: date | None = None,
) -> None:
    """Give a factory-made household the dates its workflow would have set."""
    async with app.state.database.sessionmaker() as session:
        await session.execute(
            update(Household)
            .where(Household.id == household_id)
            .values(identified_on=identified_on, eliminated_on=eliminated_on)
        )
        await session.commit()


async def figures(app: FastAPI, area_code: str = VILLAGE) -> dict[str, int]:
    async with app.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(AreaFigure.metric, AreaFigure.value).where(
                AreaFigure.area_code == area_code, AreaFigure.year == 0
            )
        )
        return {metric: value for metric, value in rows.all()}


async def all_pages(client: AsyncClient, path: str, headers: dict[str, str]) -> list[list[str]]:
    """Walk a list one item per page; the ids of each page, in order."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        answer = await client.get(path, params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages.append([item.get("household_id") or item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
