"""Helpers of the provincial-system tests: the platform's identities, reading streamed exports,
and the audit rows an export leaves."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import select

from services.common.auth.roles import Role, Scope
from services.common.tables import audit_log
from tests.support.identities import PROVINCE, TokenFactory

PLATFORM = "client:henan-platform"
OTHER_PROVINCE = "130000000000"  # 河北省


def platform(tokens: TokenFactory, *, reveal: bool = False, area: str = PROVINCE) -> dict[str, str]:
    """The province system (省级平台) of 河南省, with or without the reveal scope."""
    scopes = [Scope.PERSONAL_DATA_REVEAL.value] if reveal else []
    return tokens.headers(Role.PROVINCE_SYSTEM, area, scopes=scopes, sub=PLATFORM)


async def export(
    gateway: AsyncClient, service: str, dataset: str, headers: dict[str, str], **params: str
) -> Response:
    return await gateway.get(f"/api/v1/{service}/exports/{dataset}", params=params, headers=headers)


def ndjson(answer: Response) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/x-ndjson"
    assert answer.text == "" or answer.text.endswith("\n")
    return [json.loads(line) for line in answer.text.splitlines()]


def csv_rows(answer: Response) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows as dicts) of a CSV export."""
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    reader = csv.reader(io.StringIO(answer.content.decode("utf-8")))
    header, *rows = list(reader)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def problem(answer: Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["code"] == code, body
    return body


async def export_audits(app: FastAPI, actor: str, dataset: str) -> list[Any]:
    async with app.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(audit_log).where(
                audit_log.c.actor == actor,
                audit_log.c.action == "export",
                audit_log.c.entity == dataset,
            )
        )
        return list(rows.all())
