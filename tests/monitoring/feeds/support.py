"""Helpers of the feed tests: department clients, records, pushing a batch and running the
worker once, households registered with known ID numbers, and stored rows."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select

from services.common.auth.roles import Role
from services.common.business_time import business_today
from services.monitoring.feeds import processing
from services.monitoring.feeds.preparation import Preparer
from services.monitoring.feeds.worker import process_pending
from services.monitoring.figures.contribution import HouseholdState, record_state_change
from services.monitoring.models import (
    AreaFigure,
    FeedBatch,
    Household,
    Member,
    WarningRule,
    WarningRuleVersion,
)
from tests.support.identities import COUNTY, NATION, VILLAGE, TokenFactory
from tests.support.monitoring import person_number

BATCHES = "/api/v1/feed-batches"
MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations" / "monitoring" / "versions"
MEDIA_TYPES = {"ndjson": "application/x-ndjson", "json": "application/json", "csv": "text/csv"}
_record_ids = iter(range(1, 10**9))


def feed_client(
    tokens: TokenFactory, area: str = COUNTY, name: str = "county-medical"
) -> dict[str, str]:
    """A department client (machine) of `area`."""
    return tokens.headers(Role.DEPARTMENT_FEED, area, sub=f"client:{name}")


def record(number: str, **overrides: Any) -> dict[str, Any]:
    """An inpatient record of 30,000 yuan out of pocket in VILLAGE, last week."""
    return {
        "record_id": f"MI-{next(_record_ids)}",
        "source": "medical_insurance",
        "person_number": number,
        "name": "张建国",
        "area_code": VILLAGE,
        "event_type": "inpatient",
        "event_date": (business_today() - timedelta(days=7)).isoformat(),
        "amount": "30000.00",
        "details": {"diagnosis": "肺炎", "hospital": "柘城县人民医院"},
        **overrides,
    }


def body_of(records: list[dict[str, Any]], fmt: str = "ndjson") -> bytes:
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False).encode()
    if fmt == "csv":
        columns = sorted({name for item in records for name in item})
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for item in records:
            writer.writerow(
                {
                    k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v
                    for k, v in item.items()
                }
            )
        return out.getvalue().encode()
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in records).encode()


async def push(
    client: AsyncClient,
    headers: dict[str, str],
    body: bytes | list[dict[str, Any]],
    *,
    fmt: str = "ndjson",
    key: str | None = None,
    source: str | None = None,
) -> Response:
    content = body if isinstance(body, bytes) else body_of(body, fmt)
    return await client.post(
        BATCHES,
        content=content,
        params={"source": source} if source else None,
        headers={
            **headers,
            "Content-Type": MEDIA_TYPES.get(fmt, fmt),
            "Idempotency-Key": key or str(uuid.uuid4()),
        },
    )


async def push_and_process(
    client: AsyncClient,
    app: FastAPI,
    headers: dict[str, str],
    records: list[dict[str, Any]],
    preparer: Preparer | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Push, run the worker once (its chunks prepared by `preparer`, on a thread when None),
    and answer the batch as its client reads it."""
    answer = await push(client, headers, records, **options)
    assert answer.status_code == 202, answer.text
    await process_pending(app, preparer)
    batch = await client.get(answer.headers["Location"], headers=headers)
    assert batch.status_code == 200, batch.text
    result: dict[str, Any] = batch.json()
    return result


async def registered(
    app: FastAPI,
    numbers: list[str],
    *,
    village: str = VILLAGE,
    kind: str = "ordinary",
    head_name: str = "张建国",
) -> Household:
    """A household whose members carry these ID numbers (the first is the head)."""
    protector = app.state.protector
    household = Household(
        id=uuid.uuid4(),
        area_code=village,
        kind=kind,
        head_name=head_name,
        monitoring_status="none",
        risk_types=[],
        member_count=len(numbers),
        version=1,
    )
    members = []
    for position, raw in enumerate(numbers):
        number = protector.person_number(raw)
        members.append(
            Member(
                id=uuid.uuid4(),
                household_id=household.id,
                area_code=village,
                person_number_cipher=number.cipher,
                person_number_index=number.index,
                person_number_masked=number.masked,
                person_number_kind=number.parsed.kind,
                name=head_name if position == 0 else f"{head_name[0]}成员{position}",
                sex=number.parsed.sex,
                birth_date=number.parsed.birth_date,
                relationship="head" if position == 0 else "son",
                labour_ability="ordinary",
                version=1,
            )
        )
    async with app.state.database.sessionmaker() as session:
        session.add(household)
        await session.flush()
        session.add_all(members)
        await record_state_change(session, None, HouseholdState.of(household))
        await session.commit()
    return household


def numbers(count: int, *, birth: date = date(1980, 5, 17)) -> list[str]:
    """`count` distinct valid ID numbers."""
    return [person_number(birth=birth + timedelta(days=i)) for i in range(count)]


async def figures(app: FastAPI, area: str = VILLAGE, year: int = 0) -> dict[str, int]:
    async with app.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(AreaFigure.metric, AreaFigure.value).where(
                AreaFigure.area_code == area,
                AreaFigure.year == year,
                AreaFigure.metric.like("department_%"),
            )
        )
        return {metric: value for metric, value in rows.all() if value}


async def count(app: FastAPI, model: Any, *where: Any) -> int:
    async with app.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def batch_row(app: FastAPI, batch_id: str) -> FeedBatch:
    async with app.state.database.sessionmaker() as session:
        batch = await session.get(FeedBatch, uuid.UUID(batch_id))
        assert batch is not None
        return batch


def _default_rules_migration() -> Any:
    path = next(Path(MIGRATIONS).glob("*-monitoring0004_department_feeds.py"))
    spec = importlib.util.spec_from_file_location("monitoring0004", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def ensure_default_rules(app: FastAPI) -> None:
    """Put the national default rules back if a committing test's clean-up emptied them (it
    keeps only a few seeded tables); inside the test's transaction, like any other row."""
    async with app.state.database.sessionmaker() as session:
        if await session.scalar(select(func.count()).select_from(WarningRule)):
            return
        migration = _default_rules_migration()
        for code, source, event_type, condition, risk_type, description in migration.DEFAULT_RULES:
            rule_id = uuid.uuid5(migration.RULE_IDS, code)
            session.add(
                WarningRule(id=rule_id, province_code=NATION, code=code, retired=False, version=1)
            )
            await session.flush()
            session.add(
                WarningRuleVersion(
                    rule_id=rule_id,
                    version=1,
                    province_code=NATION,
                    code=code,
                    source=source,
                    event_type=event_type,
                    condition=condition,
                    risk_type=risk_type,
                    description=description,
                    retired=False,
                    created_by="tests",
                )
            )
        await session.commit()


def failing_on(chunks: set[int], error: BaseException) -> Callable[..., Any]:
    """`processing.finish` that raises `error` on the chunks numbered `chunks`."""
    real = processing.finish

    async def finish(session: Any, batch: Any, chunk: Any, written: Any) -> None:
        if chunk.chunk_no in chunks:
            raise error
        await real(session, batch, chunk, written)

    return finish
