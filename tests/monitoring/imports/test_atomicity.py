"""With real commits: an import that fails half-way leaves nothing behind."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from services.monitoring.imports import service
from services.monitoring.imports.workers import ImportTuning
from tests.monitoring.imports.support import feed_size, ndjson, row, stored_household, upload
from tests.support.identities import TokenFactory

NDJSON = "application/x-ndjson"


async def test_a_failed_import_leaves_nothing_behind(
    committing_apps: dict[str, FastAPI], tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = committing_apps["monitoring"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
        # The first import loads the code book, so the second sends no query of its own
        # through the session before its first COPY.
        first = await upload(client, ndjson([row("C-1")]), tokens.county_admin(), media_type=NDJSON)
        assert first.json()["households_created"] == 1
        feed = await feed_size(app)

        monkeypatch.setattr(service, "MAX_ROWS", 2)
        app.state.import_tuning = ImportTuning(mode="thread", chunk_bytes=100)
        rows = [row("C-2"), row("C-3"), row("C-4")]
        second = await upload(client, ndjson(rows), tokens.county_admin(), media_type=NDJSON)
    assert second.status_code == 422
    for number in ("C-2", "C-3", "C-4"):
        assert await stored_household(app, number) is None
    assert await stored_household(app, "C-1") is not None
    assert await feed_size(app) == feed
