"""With real commits: two imports of overlapping files at the same time load each household and
each person once (imports take turns on a lock; the second sees the first's rows)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.monitoring.imports.workers import ImportTuning
from services.monitoring.models import Household, Member
from tests.monitoring.imports.support import feed_size, figures, ndjson, row, upload
from tests.support.identities import TokenFactory

NDJSON = "application/x-ndjson"


async def test_overlapping_imports_at_the_same_time_load_everything_once(
    committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = committing_apps["monitoring"]
    # Small chunks: each import takes several turns of its loop, so the two interleave.
    app.state.import_tuning = ImportTuning(mode="thread", chunk_bytes=300)
    Rows = list[dict[str, Any] | str]
    shared: Rows = [row(f"O-{n}", name=f"共{n}") for n in range(6)]
    shared += [row(f"O-{n}", "son", name=f"共子{n}") for n in range(6)]
    first: Rows = [*(row(f"A-{n}", name=f"甲{n}") for n in range(5)), *shared]
    second: Rows = [*shared, *(row(f"B-{n}", name=f"乙{n}") for n in range(5))]
    before_feed, before = await feed_size(app), await figures(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
        answers = await asyncio.gather(
            upload(client, ndjson(first), tokens.county_admin(), media_type=NDJSON),
            upload(client, ndjson(second), tokens.county_admin(), media_type=NDJSON),
        )
    reports = [answer.json() for answer in answers]
    assert all(answer.status_code == 200 for answer in answers), reports
    assert sum(report["households_created"] for report in reports) == 16
    assert sum(report["members_created"] for report in reports) == 22
    # Whichever ran second found the shared households with their people: unchanged.
    assert sorted(report["unchanged"] for report in reports) == [0, 12]
    assert all(report["rejected_count"] == 0 for report in reports)

    async with app.state.database.sessionmaker() as session:
        households = await session.scalar(
            select(func.count())
            .select_from(Household)
            .where(Household.household_number.like("O-%"))
        )
        members = await session.scalar(
            select(func.count())
            .select_from(Member)
            .join(Household, Household.id == Member.household_id)
            .where(Household.household_number.like("O-%"))
        )
        counts = set(
            (
                await session.scalars(
                    select(Household.member_count).where(Household.household_number.like("O-%"))
                )
            ).all()
        )
    assert (households, members, counts) == (6, 12, {2})
    assert await feed_size(app) - before_feed == 16 + 22
    after = await figures(app)
    assert after.get("households", 0) - before.get("households", 0) == 16
    assert after.get("people", 0) - before.get("people", 0) == 22
