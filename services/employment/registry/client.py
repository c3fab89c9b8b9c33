"""Asking the monitoring service who a person is (`GET /api/v1/people/by-index/{index}`).

One `httpx.AsyncClient`, created with the app and closed by its lifespan, with a connect
timeout and a total time limit per question. The caller's own token and the request id travel
with the question, so monitoring answers within the caller's area and the two services' logs
join up. Only the blind index of the ID number is sent, never the number. A GET is idempotent,
so a refused connection is retried once after a short pause, within the same time limit.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import httpx
from fastapi import FastAPI, Request
from pydantic import BaseModel, ValidationError

from services.common.errors import DixianError, Forbidden, Unauthorized
from services.common.observability import REQUEST_ID_HEADER, current_request_id
from services.employment.settings import EmploymentSettings

RETRY_PAUSE_SECONDS = 0.1


class PersonStanding(BaseModel):
    """A person's place in the monitoring registry (no personal numbers beyond the masked one)."""

    member_id: uuid.UUID
    household_id: uuid.UUID
    area_code: str
    person_number: str
    birth_date: date
    labour_ability: str | None
    household_kind: str
    monitoring_status: str
    monitoring_category: str | None = None


PersonLookup = Callable[[bytes], Awaitable["PersonStanding | None"]]


class MonitoringUnavailable(DixianError):
    """The monitoring service did not give a usable answer in time; `reason` says how."""

    status = 503
    code = "monitoring_unavailable"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The monitoring service could not confirm the person: {reason}. Retry later.",
            headers={"Retry-After": "30"},
            extra={"reason": reason},
        )
        self.reason = reason


def make_monitoring_client(settings: EmploymentSettings) -> httpx.AsyncClient:
    """The app's one client for the monitoring service, created at startup."""
    return httpx.AsyncClient(
        base_url=settings.monitoring_url,
        timeout=httpx.Timeout(
            settings.monitoring_timeout, connect=settings.monitoring_connect_timeout
        ),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
    )


async def find_person(request: Request, index: bytes) -> PersonStanding | None:
    """The person with this blind index in the caller's area, None when monitoring has nobody
    (or nobody the caller may see). Raises `MonitoringUnavailable` when it cannot tell."""
    app: FastAPI = request.app
    settings: EmploymentSettings = app.state.settings
    headers = {
        "Authorization": request.headers.get("authorization", ""),
        REQUEST_ID_HEADER: current_request_id() or "",
    }
    try:
        async with asyncio.timeout(settings.monitoring_timeout):
            response = await _get(
                app.state.monitoring, f"/api/v1/people/by-index/{index.hex()}", headers
            )
    except (TimeoutError, httpx.TimeoutException):
        raise MonitoringUnavailable(
            f"no answer within {settings.monitoring_timeout:g} seconds"
        ) from None
    except httpx.TransportError as exc:
        raise MonitoringUnavailable(f"unreachable ({type(exc).__name__})") from None
    if response.status_code == 404:
        return None
    if response.status_code == 401:
        raise Unauthorized(
            "The monitoring service did not accept your token.", code="token_invalid"
        )
    if response.status_code == 403:
        raise Forbidden(
            "The monitoring service does not let your role look people up.",
            code="monitoring_refused",
        )
    if response.status_code != 200:
        raise MonitoringUnavailable(f"it answered {response.status_code}")
    try:
        return PersonStanding.model_validate_json(response.content)
    except ValidationError:
        raise MonitoringUnavailable("its answer could not be read") from None


def person_lookup(request: Request) -> PersonLookup:
    """`find_person` bound to the request, for services that need to ask about people."""

    async def lookup(index: bytes) -> PersonStanding | None:
        return await find_person(request, index)

    return lookup


async def _get(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> httpx.Response:
    try:
        return await client.get(path, headers=headers)
    except httpx.ConnectError:
        await asyncio.sleep(RETRY_PAUSE_SECONDS)
        return await client.get(path, headers=headers)
