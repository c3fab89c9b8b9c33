"""Processing a batch: people in the registry raise warnings on their households, others raise
leads for the area named; bad records are refused one by one with the reason while the rest
goes on; resent records change nothing; figures and the change feed move with each chunk. The
chunks are prepared on a thread and, for the tests taking `preparer`, in a worker process too:
the outcome is the same."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.business_time import business_today
from services.common.tables import changes
from services.monitoring.feeds.preparation import NICENESS, Preparer
from services.monitoring.feeds.settings import FeedSettings
from services.monitoring.feeds.worker import process_pending
from services.monitoring.models import DepartmentWarning, FeedRecord, WarningEvent
from tests.monitoring.feeds.support import (
    count,
    feed_client,
    figures,
    numbers,
    push,
    push_and_process,
    record,
    registered,
)
from tests.support.identities import (
    COUNTY,
    OTHER_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    TokenFactory,
)


@pytest.fixture(scope="module", params=[0, 1], ids=["thread", "process"])
def preparer(request: pytest.FixtureRequest) -> Iterator[Preparer]:
    prepared_by = Preparer(request.param)
    yield prepared_by
    prepared_by.shutdown()


async def test_registered_people_raise_warnings_and_others_leads(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    preparer: Preparer,
) -> None:
    app, feed = apps["monitoring"], feed_client(tokens)
    poor, ordinary, unknown = numbers(3)
    exited = await registered(app, [poor], kind="exited_poverty")
    other = await registered(app, [ordinary], village=OTHER_VILLAGE)
    records = [
        record(poor, amount="6000.00"),  # exited poverty: at least 5,000
        record(ordinary, amount="6000.00", area_code=VILLAGE),  # ordinary: not 20,000
        record(unknown, amount="25000.00", area_code=TOWNSHIP),  # a lead for the township
        record(
            ordinary, source="civil_affairs", event_type="minimum_living_allowance", amount=None
        ),
    ]
    async with client_for("monitoring") as client:
        batch = await push_and_process(client, app, feed, preparer=preparer, records=records)
    assert (batch["valid"], batch["matched"], batch["rejected"]) == (4, 3, 0)
    assert (batch["warnings_raised"], batch["leads_raised"], batch["events_attached"]) == (2, 1, 3)
    async with app.state.database.sessionmaker() as session:
        raised = {
            (w.kind, w.area_code, w.household_id, w.rule_code, w.risk_type)
            for w in await session.scalars(select(DepartmentWarning))
        }
    assert raised == {
        ("warning", VILLAGE, exited.id, "medical_inpatient_cost", "illness"),
        # The warning goes to the household's village, whatever area the record named.
        ("warning", OTHER_VILLAGE, other.id, "civil_minimum_living_allowance", "other"),
        ("lead", TOWNSHIP, None, "medical_inpatient_cost", "illness"),
    }
    year = business_today().year
    assert await figures(app) == {"department_warnings_open": 1}
    assert await figures(app, year=year) == {"department_warnings_raised": 1}
    assert await figures(app, OTHER_VILLAGE) == {"department_warnings_open": 1}
    assert await figures(app, TOWNSHIP) == {"department_leads_open": 1}
    assert await figures(app, TOWNSHIP, year) == {"department_leads_raised": 1}


async def test_later_events_attach_to_the_open_warning(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    preparer: Preparer,
) -> None:
    app, feed = apps["monitoring"], feed_client(tokens)
    head, son = numbers(2)
    household = await registered(app, [head, son])
    today = business_today()
    async with client_for("monitoring") as client:
        first = await push_and_process(
            client,
            app,
            feed,
            preparer=preparer,
            records=[record(head, event_date=str(today - timedelta(days=20)))],
        )
        later = await push_and_process(
            client,
            app,
            feed,
            preparer=preparer,
            records=[
                record(son, amount="45000.00", event_date=str(today - timedelta(days=3))),
                record(son, event_type="outpatient_chronic", amount="21000.00"),
            ],
        )
    assert first["warnings_raised"] == 1
    assert (later["warnings_raised"], later["events_attached"]) == (1, 2)  # another rule
    async with app.state.database.sessionmaker() as session:
        inpatient = await session.scalar(
            select(DepartmentWarning).where(DepartmentWarning.rule_code == "medical_inpatient_cost")
        )
        assert inpatient is not None and inpatient.household_id == household.id
        assert inpatient.event_count == 2 and inpatient.version == 2
        assert inpatient.first_event_on == today - timedelta(days=20)
        assert inpatient.last_event_on == today - timedelta(days=3)
        assert str(inpatient.largest_amount) == "45000.00"
        fed = (
            await session.execute(
                select(changes.c.operation, changes.c.version).where(
                    changes.c.entity == "department_warning",
                    changes.c.entity_id == str(inpatient.id),
                )
            )
        ).all()
    assert sorted(fed) == [("create", 1), ("update", 2)]
    assert await count(app, WarningEvent) == 3
    assert await figures(app) == {"department_warnings_open": 2}


async def test_bad_records_are_refused_one_by_one_and_the_rest_goes_on(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    preparer: Preparer,
) -> None:
    app, feed = apps["monitoring"], feed_client(tokens)
    good = numbers(2)
    valid = record(good[0])
    bad_check_digit = good[1][:-1] + ("0" if good[1][-1] != "0" else "1")
    tomorrow = str(business_today() + timedelta(days=1))
    lines = [
        valid,
        record(bad_check_digit),
        record(good[1], source="bank"),
        record(good[1], event_type="dropout"),  # an education event, not medical insurance
        record(good[1], area_code=OTHER_VILLAGE),  # outside the client's county
        record(good[1], area_code="4114241052"),
        record(good[1], event_date=tomorrow),
        record(good[1], amount=None),  # the inpatient rule compares amounts
        record(good[1], amount="12.345"),
        record(good[1], name=""),
        record(good[1], details=["not", "an", "object"]),
    ]
    body = b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)
    body += b"{not json\n\n" + b'"a string"\n' + b"\xff\xfe\n"
    async with client_for("monitoring") as client:
        answer = await push(client, feed, body)
        await process_pending(app, preparer)
        location = answer.headers["Location"]
        batch = (await client.get(location, headers=feed)).json()
        report = await client.get(f"{location}/rejections", headers=feed, params={"limit": 5})
        rest = await client.get(
            f"{location}/rejections",
            headers=feed,
            params={"limit": 100, "cursor": report.json()["next_cursor"]},
        )
    assert (batch["received"], batch["valid"], batch["rejected"]) == (14, 1, 13), batch
    assert batch["leads_raised"] == 1
    rejections = report.json()["items"] + rest.json()["items"]
    assert [(r["line"], r["field"], r["rule"]) for r in rejections] == [
        (2, "person_number", "check_digit"),
        (3, "source", "source_unknown"),
        (4, "event_type", "event_type_unknown"),
        (5, "area_code", "area_out_of_scope"),
        (6, "area_code", "code_format"),
        (7, "event_date", "date_in_future"),
        (8, "amount", "required"),
        (9, "amount", "amount_format"),
        (10, "name", "required"),
        (11, "details", "details_not_object"),
        (12, "record", "json_malformed"),
        (14, "record", "record_not_object"),  # line 13 is blank: not a record
        (15, "record", "encoding"),
    ]
    assert rejections[0]["source_record_id"] == lines[1]["record_id"]
    # A rejection never repeats the ID number.
    assert all(bad_check_digit not in str(r) for r in rejections)


async def test_resent_records_change_nothing(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, feed = apps["monitoring"], feed_client(tokens)
    number = numbers(1)[0]
    await registered(app, [number])
    records = [record(number)]
    async with client_for("monitoring") as client:
        first = await push_and_process(client, app, feed, records)
        # The same records in a new batch (another key), and twice in one batch.
        again = await push_and_process(client, app, feed, records * 2)
    assert first["warnings_raised"] == 1
    assert (again["valid"], again["duplicates"], again["warnings_raised"]) == (2, 2, 0)
    assert again["events_attached"] == 0
    assert await count(app, FeedRecord) == 1
    assert await count(app, WarningEvent) == 1
    assert await figures(app) == {"department_warnings_open": 1}


async def test_records_are_stored_protected(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, feed = apps["monitoring"], feed_client(tokens, area=COUNTY)
    number = numbers(1)[0]
    async with client_for("monitoring") as client:
        await push_and_process(client, app, feed, [record(number)])
    async with app.state.database.sessionmaker() as session:
        stored = await session.scalar(select(FeedRecord))
    assert stored is not None
    assert number.encode() not in stored.person_number_cipher
    assert stored.person_number_index == app.state.protector.person_number_index(number)
    assert stored.person_number_masked == number[:6] + "********" + number[-4:]
    assert stored.details_cipher is not None and "肺炎".encode() not in stored.details_cipher


async def test_age_and_share_conditions(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    preparer: Preparer,
) -> None:
    app, feed = apps["monitoring"], feed_client(tokens)
    today = business_today()
    child = numbers(1, birth=today.replace(year=today.year - 10) - timedelta(days=40))[0]
    adult = numbers(1)[0]
    dropout = {"source": "education", "event_type": "dropout", "amount": None}
    async with client_for("monitoring") as client:
        batch = await push_and_process(
            client,
            app,
            feed,
            preparer=preparer,
            records=[record(child, **dropout), record(adult, **dropout)],
        )
    # Only the compulsory-age child's dropout raises something.
    assert (batch["valid"], batch["leads_raised"]) == (2, 1)


async def test_chunks_of_a_batch_raise_and_extend_each_others_leads(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    preparer: Preparer,
) -> None:
    """Chunks are written set by set (their records and hits go through per-chunk tables):
    each chunk sees only its own records, a lead raised by one chunk is extended by the next,
    and a (person, rule) hit twice in one chunk raises one lead from its earliest event."""
    app, feed = apps["monitoring"], feed_client(tokens)
    app.state.feed_settings = FeedSettings(chunk_records=2)
    person, other = numbers(2)
    today = business_today()
    records = [
        record(person, amount="25000.00", event_date=str(today - timedelta(days=10))),
        record(
            person,
            amount="30000.00",
            area_code=TOWNSHIP,
            event_date=str(today - timedelta(days=5)),
        ),
        record(person, amount="26000.00", event_date=str(today - timedelta(days=20))),
        record(other, source="civil_affairs", event_type="minimum_living_allowance", amount=None),
    ]
    async with client_for("monitoring") as client:
        batch = await push_and_process(client, app, feed, preparer=preparer, records=records)
    assert batch["chunks_total"] == 2
    assert (batch["valid"], batch["duplicates"], batch["matched"]) == (4, 0, 0)
    assert (batch["leads_raised"], batch["events_attached"]) == (2, 4)
    assert await count(app, FeedRecord) == 4
    assert await count(app, WarningEvent) == 4
    async with app.state.database.sessionmaker() as session:
        lead = await session.scalar(
            select(DepartmentWarning).where(DepartmentWarning.rule_code == "medical_inpatient_cost")
        )
        assert lead is not None and lead.kind == "lead"
        assert lead.area_code == VILLAGE  # from the first chunk's earliest event
        assert (lead.event_count, lead.version) == (3, 2)
        assert lead.first_event_on == today - timedelta(days=20)
        assert lead.last_event_on == today - timedelta(days=5)
        assert str(lead.largest_amount) == "30000.00"
        fed = (
            await session.execute(
                select(changes.c.operation, changes.c.version).where(
                    changes.c.entity == "department_warning",
                    changes.c.entity_id == str(lead.id),
                )
            )
        ).all()
        allowance = await session.scalar(
            select(DepartmentWarning).where(
                DepartmentWarning.rule_code == "civil_minimum_living_allowance"
            )
        )
    assert sorted(fed) == [("create", 1), ("update", 2)]
    assert allowance is not None and allowance.largest_amount is None
    assert allowance.event_count == 1
    assert await figures(app) == {"department_leads_open": 2}


def test_checking_processes_yield_the_cpu_to_the_app_and_the_database() -> None:
    prepared_by = Preparer(1)
    try:
        executor = prepared_by._executor
        assert executor is not None
        assert executor.submit(os.nice, 0).result(timeout=60) == min(os.nice(0) + NICENESS, 19)
    finally:
        prepared_by.shutdown()
