"""Helpers for the import tests: rows, files in both formats, and reading back what was stored."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from itertools import count
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select

from services.common.tables import changes
from services.monitoring.imports.chunks import FIELDS as COLUMNS
from services.monitoring.models import AreaFigure, Household, Member
from tests.support.identities import VILLAGE
from tests.support.monitoring import person_number

_births = count()


def new_person_number() -> str:
    """A valid ID number no other call of this helper returns."""
    serial = next(_births)
    return person_number(birth=date(1950 + serial % 60, 1 + serial // 60 % 12, 1 + serial % 28))


def row(household_number: str, relationship: str = "head", **extra: Any) -> dict[str, Any]:
    """One member row; the household fields default to an ordinary household in VILLAGE."""
    return {
        "household_number": household_number,
        "village": VILLAGE,
        "kind": "ordinary",
        "address": "三组12号",
        "phone": "13812345678",
        "person_number": new_person_number(),
        "name": "王建国",
        "relationship": relationship,
        "education": "junior_secondary",
        "health": "healthy",
        "labour_ability": "ordinary",
        "work_place": "本县",
        "work_months": 6,
        "medical_insurance": True,
        "pension_insurance": False,
        **extra,
    }


def ndjson(rows: list[dict[str, Any] | str]) -> bytes:
    """NDJSON lines; a string is written as is (to test malformed lines)."""
    lines = [
        item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) for item in rows
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def csv_file(rows: list[dict[str, Any] | list[str]], *, bom: bool = False) -> bytes:
    """A CSV file with a header; a list is written as a raw record (to test malformed rows)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in rows:
        if isinstance(item, list):
            writer.writerow(item)
        else:
            writer.writerow([_csv_value(item.get(column)) for column in COLUMNS])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


async def upload(
    client: AsyncClient, body: bytes, headers: dict[str, str], *, media_type: str
) -> Response:
    return await client.post(
        "/api/v1/imports/households",
        content=body,
        headers={**headers, "Content-Type": media_type},
    )


def rules_by_row(report: dict[str, Any]) -> dict[int, tuple[str, str]]:
    return {item["row"]: (item["rule"], item["field"]) for item in report["rejected"]}


async def stored_members(app: FastAPI, household_number: str) -> list[Member]:
    async with app.state.database.sessionmaker() as session:
        query = (
            select(Member)
            .join(Household, Household.id == Member.household_id)
            .where(Household.household_number == household_number)
            .order_by(Member.name)
        )
        return list((await session.scalars(query)).all())


async def stored_household(app: FastAPI, household_number: str) -> Household | None:
    async with app.state.database.sessionmaker() as session:
        return await session.scalar(
            select(Household).where(Household.household_number == household_number)
        )


async def feed_size(app: FastAPI) -> int:
    async with app.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(changes)) or 0)


async def figures(app: FastAPI, area_code: str = VILLAGE) -> dict[str, int]:
    async with app.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(AreaFigure.metric, AreaFigure.value).where(
                AreaFigure.area_code == area_code, AreaFigure.year == 0
            )
        )
        return {metric: value for metric, value in rows.all() if value}
