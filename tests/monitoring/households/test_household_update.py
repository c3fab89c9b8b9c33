"""Changing a household with If-Match: a stale version answers 412 with the current record and
its member count; the current version applies, moves the version and `updated_at` on."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from tests.monitoring.households.support import member, register
from tests.support.identities import TokenFactory


async def test_stale_then_current_version(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        registered = await register(
            client, officer, members=[member(), member("son", "王小军", person_number=None)]
        )
        path = f"/api/v1/households/{registered['id']}"
        stale = await client.patch(
            path, json={"address": "三组1号"}, headers={**officer, "If-Match": "5"}
        )
        assert stale.status_code == 412, stale.text
        assert stale.json()["current"]["version"] == 1
        assert stale.json()["current"]["members"] == 2

        changed = await client.patch(
            path, json={"address": "三组1号"}, headers={**officer, "If-Match": "1"}
        )
        assert changed.status_code == 200, changed.text
        body = changed.json()
        assert body["version"] == 2 and body["address"] == "三组1号"
        assert changed.headers["ETag"] == '"2"'
        assert body["updated_at"] >= registered["updated_at"]
        assert len(body["members"]) == 2
