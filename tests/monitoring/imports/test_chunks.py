"""Large files are parsed chunk by chunk in worker processes; a household whose rows are spread
over chunks is still loaded whole or not at all."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.tables import changes
from services.monitoring.imports import service
from services.monitoring.imports.workers import ImportTuning
from tests.monitoring.imports.support import (
    csv_file,
    feed_size,
    figures,
    ndjson,
    row,
    rules_by_row,
    stored_household,
    stored_members,
    upload,
)
from tests.support.identities import TokenFactory

NDJSON = "application/x-ndjson"

SPREAD = [
    row("S-1", "son", name="周小一"),  # 1: waits for its head
    row("S-2", name="吴二"),  # 2: loaded
    row("S-3", name="郑三"),  # 3: loaded, then unloaded by row 6
    row("S-2", "spouse", name="冯二嫂"),  # 4: S-2 grows
    row("S-1", name="周一"),  # 5: S-1 loaded with row 1
    row("S-3", "son", name="郑小三", health="unknown"),  # 6: code_unknown
    row("S-1", "daughter", name="周小妹"),  # 7: S-1 grows
    row("S-4", "son", name="陈无头"),  # 8: never gets a head
]


@pytest.mark.parametrize("mode", ["process", "thread"])
async def test_households_spread_over_chunks(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    mode: str,
) -> None:
    app = apps["monitoring"]
    # Every row in a chunk of its own.
    app.state.import_tuning = ImportTuning(mode=mode, workers=2, chunk_bytes=100)  # type: ignore[arg-type]
    before, feed = await figures(app), await feed_size(app)
    async with client_for("monitoring") as client:
        answer = await upload(client, ndjson(SPREAD), tokens.county_admin(), media_type=NDJSON)
    report = answer.json()
    assert rules_by_row(report) == {
        3: ("household_incomplete", "household_number"),
        6: ("code_unknown", "health"),
        8: ("household_head", "relationship"),
    }
    assert (report["households_created"], report["members_created"]) == (2, 5)

    first, second = await stored_household(app, "S-1"), await stored_household(app, "S-2")
    assert first is not None and second is not None
    assert (first.head_name, first.member_count) == ("周一", 3)
    assert (second.head_name, second.member_count) == ("吴二", 2)
    assert [m.name for m in await stored_members(app, "S-1")] == sorted(
        ["周小一", "周一", "周小妹"]
    )
    assert await stored_household(app, "S-3") is None
    assert await feed_size(app) == feed + 2 + 5
    async with app.state.database.sessionmaker() as session:
        entities = (await session.scalars(select(changes.c.entity_id))).all()
    assert str(first.id) in entities and str(second.id) in entities
    after = await figures(app)
    assert after.get("households", 0) - before.get("households", 0) == 2
    assert after.get("people", 0) - before.get("people", 0) == 5


async def test_quoted_newlines_stay_in_their_csv_record(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    app.state.import_tuning = ImportTuning(mode="thread", chunk_bytes=50)
    address = '一组\n"老槐树"\n12号'
    rows = [
        row("Q-1", address=address),
        row("Q-1", "son", address=address, name="王\n二"),
        row("Q-2", address=address, relationship="nephew"),
    ]
    async with client_for("monitoring") as client:
        answer = await upload(client, csv_file(rows), tokens.county_admin(), media_type="text/csv")
    report = answer.json()
    assert rules_by_row(report) == {3: ("code_unknown", "relationship")}
    household = await stored_household(app, "Q-1")
    assert household is not None and household.address == address
    assert sorted(m.name for m in await stored_members(app, "Q-1")) == sorted(["王建国", "王\n二"])


async def test_too_many_rows_writes_nothing(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service, "MAX_ROWS", 3)
    app = apps["monitoring"]
    app.state.import_tuning = ImportTuning(mode="thread", chunk_bytes=100)
    rows = [row("L-1"), row("L-2"), row("L-3"), row("L-4")]
    feed = await feed_size(app)
    async with client_for("monitoring") as client:
        answer = await upload(client, ndjson(rows), tokens.county_admin(), media_type=NDJSON)
    assert answer.status_code == 422
    assert answer.json()["code"] == "import_too_large"
    assert await stored_household(app, "L-1") is None
    assert await feed_size(app) == feed
