"""Helpers shared by the user and machine-client tests: requests, sign-in and problem checks."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests.support.factories import create_area
from tests.support.identities import TOWNSHIP, VILLAGE

USERS = "/api/v1/users"
CLIENTS = "/api/v1/clients"
TOKEN = "/api/v1/auth/token"
PASSWORD = "correct horse 1"


def idempotent(headers: dict[str, str]) -> dict[str, str]:
    """The headers plus a fresh Idempotency-Key, which every POST needs."""
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


def if_match(headers: dict[str, str], version: int) -> dict[str, str]:
    return {**headers, "If-Match": f'"{version}"'}


def problem(answer: Response, status: int, code: str, rule: str | None = None) -> dict[str, Any]:
    """Assert a problem+json answer with this status, code and (first) field rule."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["code"] == code, body
    if rule is not None:
        assert body["fields"][0]["rule"] == rule, body
    return body


async def add_township_and_village(gateway_app: FastAPI) -> None:
    """Register TOWNSHIP and VILLAGE of COUNTY (the national file stops at counties)."""
    await create_area(gateway_app, TOWNSHIP, "胡襄镇")
    await create_area(gateway_app, VILLAGE, "孙庄村")


async def post_user(gateway: AsyncClient, headers: dict[str, str], **body: Any) -> Response:
    fields = {"display_name": body.get("username", "someone"), **body}
    return await gateway.post(USERS, json=fields, headers=idempotent(headers))


async def create_user_ok(
    gateway: AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    answer = await post_user(gateway, headers, **body)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def sign_in(gateway: AsyncClient, username: str, password: str) -> Response:
    return await gateway.post(
        TOKEN, data={"grant_type": "password", "username": username, "password": password}
    )


async def post_client(gateway: AsyncClient, headers: dict[str, str], **body: Any) -> Response:
    fields = {"name": body.get("client_id", "some system"), "scopes": [], **body}
    return await gateway.post(CLIENTS, json=fields, headers=idempotent(headers))


async def create_client_ok(
    gateway: AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    answer = await post_client(gateway, headers, **body)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def client_sign_in(gateway: AsyncClient, client_id: str, secret: str) -> Response:
    return await gateway.post(
        TOKEN,
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
