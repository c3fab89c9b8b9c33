"""Helpers of the warning tests: a warning or a lead raised through a real batch, and the
requests officers send about them."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests.monitoring.feeds.support import (
    feed_client,
    numbers,
    push_and_process,
    record,
    registered,
)
from tests.support.identities import VILLAGE, TokenFactory

WARNINGS = "/api/v1/warnings"
LEADS = "/api/v1/leads"


async def raise_warning(
    client: AsyncClient,
    app: FastAPI,
    tokens: TokenFactory,
    *,
    village: str = VILLAGE,
    kind: str = "exited_poverty",
) -> tuple[uuid.UUID, list[str], dict[str, Any]]:
    """A household of two in `village` and the warning its head's inpatient record raised:
    the household id, the members' ID numbers, and the warning as an administrator reads it."""
    people = numbers(2)
    household = await registered(app, people, village=village, kind=kind)
    await push_and_process(client, app, feed_client(tokens), [record(people[0])])
    listed = await client.get(
        WARNINGS, params={"household_id": str(household.id)}, headers=tokens.administrator()
    )
    assert listed.status_code == 200, listed.text
    [warning] = listed.json()["items"]
    return household.id, people, warning


async def raise_lead(
    client: AsyncClient, app: FastAPI, tokens: TokenFactory, *, area: str = VILLAGE
) -> tuple[str, dict[str, Any]]:
    """A lead for `area` on an unregistered person: the ID number and the lead."""
    [number] = numbers(1)
    batch = await push_and_process(
        client, app, feed_client(tokens), [record(number, area_code=area)]
    )
    assert batch["leads_raised"] == 1, batch
    listed = await client.get(LEADS, params={"village": area}, headers=tokens.county_admin())
    [lead] = listed.json()["items"]
    return number, lead


def acting(headers: dict[str, str], version: int) -> dict[str, str]:
    return {**headers, "Idempotency-Key": str(uuid.uuid4()), "If-Match": f'"{version}"'}


async def act(
    client: AsyncClient,
    path: str,
    item: dict[str, Any],
    action: str,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
    version: int | None = None,
) -> Response:
    return await client.post(
        f"{path}/{item['id']}/{action}",
        json=body,
        headers=acting(headers, item["version"] if version is None else version),
    )
