"""What an import stores: protected ID numbers, change-feed rows, figures, one audit row; and a
second import of the same file stores nothing more."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.tables import audit_log, changes
from services.monitoring.models import Household, Member
from tests.monitoring.imports.support import (
    csv_file,
    feed_size,
    figures,
    ndjson,
    row,
    stored_members,
    upload,
)
from tests.support.identities import TokenFactory

NDJSON = "application/x-ndjson"


def two_households() -> list[dict[str, object]]:
    return [
        row("F-1", name="王建国", kind="exited_poverty"),
        row("F-1", "spouse", name="李秀英", kind="exited_poverty"),
        row("F-1", "daughter", name="王小红", kind="exited_poverty"),
        row("F-2", name="张大山", phone=None, address=None),
        row("F-2", "son", name="张小山", phone=None, address=None),
        row("F-3", "son", name="刘无主"),  # rejected: no head
    ]


async def test_numbers_are_stored_encrypted_and_masked_only(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    rows = two_households()
    async with client_for("monitoring") as client:
        answer = await upload(client, ndjson(rows), tokens.county_admin(), media_type=NDJSON)
    assert answer.status_code == 200, answer.text
    numbers = {str(item["name"]): str(item["person_number"]) for item in rows}
    for number in numbers.values():
        assert number not in answer.text

    app = apps["monitoring"]
    members = await stored_members(app, "F-1") + await stored_members(app, "F-2")
    assert len(members) == 5
    for member in members:
        number = numbers[member.name]
        assert member.person_number_masked == number[:6] + "********" + number[-4:]
        assert number.encode() not in member.person_number_cipher
        assert app.state.protector.reveal_person_number(member.person_number_cipher) == number
        assert member.person_number_index == app.state.protector.person_number_index(number)
        assert member.person_number_kind == "resident_id"
        assert (member.active, member.version) == (True, 1)
    async with app.state.database.sessionmaker() as session:
        audit = (
            await session.execute(
                select(audit_log.c.details).where(
                    audit_log.c.entity == "household_import",
                    audit_log.c.entity_id == answer.json()["import_id"],
                )
            )
        ).scalar_one()
    assert audit["members_created"] == 5
    assert not any(number in str(audit) for number in numbers.values())


async def test_change_feed_and_figures_follow_the_created_households(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    before = await figures(app)
    async with client_for("monitoring") as client:
        answer = await upload(
            client, csv_file(two_households()), tokens.county_admin(), media_type="text/csv"
        )
    assert (answer.json()["households_created"], answer.json()["members_created"]) == (2, 5)

    after = await figures(app)
    added = {metric: after.get(metric, 0) - before.get(metric, 0) for metric in after}
    assert {metric: value for metric, value in added.items() if value} == {
        "households": 2,
        "people": 5,
        "exited_poverty_households": 1,
        "exited_poverty_people": 3,
    }
    async with app.state.database.sessionmaker() as session:
        feed = (
            await session.execute(
                select(
                    changes.c.entity, changes.c.operation, changes.c.version, changes.c.entity_id
                )
            )
        ).all()
        ids = set((await session.scalars(select(Household.id))).all())
        ids |= set((await session.scalars(select(Member.id))).all())
    assert sorted((entity, operation, version) for entity, operation, version, _ in feed) == [
        *[("household", "create", 1)] * 2,
        *[("member", "create", 1)] * 5,
    ]
    assert {entity_id for *_, entity_id in feed} == {str(item) for item in ids}


async def test_importing_the_same_file_again_changes_nothing(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    body = ndjson(two_households())
    async with client_for("monitoring") as client:
        first = (await upload(client, body, tokens.county_admin(), media_type=NDJSON)).json()
        feed = await feed_size(app)
        counts = await figures(app)
        again = await upload(
            client,
            body,
            {**tokens.county_admin(), "Idempotency-Key": "same-file"},
            media_type=NDJSON,
        )
    report = again.json()
    assert (report["households_created"], report["members_created"]) == (0, 0)
    assert report["unchanged"] == first["members_created"] == 5
    assert report["rejected"] == first["rejected"]
    assert report["received"] == report["unchanged"] + report["rejected_count"]
    assert await feed_size(app) == feed
    assert await figures(app) == counts
    async with app.state.database.sessionmaker() as session:
        versions = (await session.scalars(select(Household.version))).all()
    assert list(versions) == [1, 1]


async def test_a_registered_household_is_never_changed_by_an_import(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    head = row("E-1", name="孙立")
    async with client_for("monitoring") as client:
        await upload(client, ndjson([head]), tokens.county_admin(), media_type=NDJSON)
        answer = await upload(
            client,
            ndjson([head, row("E-1", "son", name="孙小立"), row("E-1", village="411424105202")]),
            tokens.county_admin(),
            media_type=NDJSON,
        )
    report = answer.json()
    assert report["unchanged"] == 1
    assert [(item["row"], item["rule"]) for item in report["rejected"]] == [
        (2, "household_exists"),
        (3, "household_number_taken"),
    ]
    assert len(await stored_members(apps["monitoring"], "E-1")) == 1
