"""Changing the head of household offline (`change_head`, 变更户主): applied once at the
household's version, a conflict when the household moved on, unless the officer sent the head
they saw and it still is; a member added in the same batch named by its operation id, another
village's household not found."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.monitoring.models import Household, Member
from tests.monitoring.households.support import writes
from tests.monitoring.sync.support import op, push
from tests.support.identities import OTHER_VILLAGE, TokenFactory
from tests.support.monitoring import create_household, person_number

Client = Callable[[str], httpx.AsyncClient]


def change_head(household_id: object, base_version: int, **member: object) -> dict[str, object]:
    return op(
        "change_head",
        household_id=str(household_id),
        base_version=base_version,
        former_head_relationship="parent",
        **{name: str(value) for name, value in member.items()},
    )


async def relationships(app: FastAPI, household_id: uuid.UUID) -> dict[str, str]:
    async with app.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(Member.name, Member.relationship).where(Member.household_id == household_id)
        )
        return {name: relationship for name, relationship in rows.all()}


async def test_change_head_applies_once_then_conflicts_when_stale(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    household = await create_household(app, head_name="张建国")
    async with app.state.database.sessionmaker() as session:
        son = await session.scalar(
            select(Member.id).where(Member.household_id == household.id, Member.name == "张成员1")
        )
    officer = tokens.village_officer()
    changed = change_head(household.id, 1, member_id=son)
    async with client_for("monitoring") as client:
        applied = await push(client, officer, [changed])
        replayed = await push(client, officer, [changed])
        stale = await push(client, officer, [change_head(household.id, 1, member_id=son)])
    assert applied[0]["status"] == "applied", applied
    assert (applied[0]["entity"], applied[0]["version"]) == ("household", 2)
    assert applied[0]["related"] == {"head_member_id": str(son)}
    assert replayed[0]["status"] == "already_applied"
    assert stale[0]["status"] == "conflict" and stale[0]["current"]["version"] == 2
    assert await relationships(app, household.id) == {
        "张建国": "parent",
        "张成员1": "head",
        "张成员2": "son",
    }
    async with app.state.database.sessionmaker() as session:
        stored = await session.get(Household, household.id)
    assert stored is not None and (stored.head_name, stored.version) == ("张成员1", 2)


async def test_member_added_in_the_same_batch_becomes_head(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    household = await create_household(app, members=1, head_name="李老汉")
    person = {
        "person_number": person_number(birth=date(1990, 1, 5)),
        "name": "李新",
        "relationship": "son",
    }
    added = op("add_member", household_id=str(household.id), member=person)
    # Adding the member moved the household to version 2.
    made_head = change_head(household.id, 2, member_ref=added["operation_id"])
    async with client_for("monitoring") as client:
        outcomes = await push(client, tokens.village_officer(), [added, made_head])
    assert [o["status"] for o in outcomes] == ["applied", "applied"], outcomes
    assert outcomes[1]["related"] == {"head_member_id": outcomes[0]["record_id"]}
    assert await relationships(app, household.id) == {"李老汉": "parent", "李新": "head"}


async def test_with_the_head_seen_it_applies_after_other_changes_of_the_household(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    # Offline, the officer saw the household at version 1 headed by 李老汉, added his son and
    # made the son head; adding him moved the household to version 2 before the change ran.
    app = apps["monitoring"]
    household = await create_household(app, members=1, head_name="李老汉")
    async with app.state.database.sessionmaker() as session:
        head = await session.scalar(select(Member.id).where(Member.household_id == household.id))
    person = {
        "person_number": person_number(birth=date(1990, 1, 5)),
        "name": "李新",
        "relationship": "son",
    }
    added = op("add_member", household_id=str(household.id), member=person)
    son = {"member_ref": added["operation_id"]}
    unseen = change_head(household.id, 1, **son)
    another_seen = change_head(household.id, 1, **son, base_head_member_id=uuid.uuid4())
    made_head = change_head(household.id, 1, **son, base_head_member_id=head)
    async with client_for("monitoring") as client:
        outcomes = await push(
            client, tokens.village_officer(), [added, unseen, another_seen, made_head]
        )
    assert [o["status"] for o in outcomes] == ["applied", "conflict", "conflict", "applied"]
    assert outcomes[1]["current"]["version"] == 2 and outcomes[2]["current"]["version"] == 2
    assert outcomes[3]["version"] == 3
    assert await relationships(app, household.id) == {"李老汉": "parent", "李新": "head"}
    # The head is no longer the one seen: a second change based on the first view conflicts.
    again = change_head(household.id, 1, member_id=head, base_head_member_id=head)
    async with client_for("monitoring") as client:
        stale = await push(client, tokens.village_officer(), [again])
    assert stale[0]["status"] == "conflict" and stale[0]["current"]["version"] == 3


async def test_another_village_is_not_found_and_nothing_written(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    household = await create_household(app)
    async with app.state.database.sessionmaker() as session:
        son = await session.scalar(
            select(Member.id).where(Member.household_id == household.id, Member.name == "张成员1")
        )
    counts = await writes(app)
    async with client_for("monitoring") as client:
        outcomes = await push(
            client,
            tokens.village_officer(OTHER_VILLAGE),
            [change_head(household.id, 1, member_id=son)],
        )
    assert outcomes[0]["status"] == "rejected" and outcomes[0]["problem"]["code"] == "not_found"
    assert await writes(app) == counts
    assert (await relationships(app, household.id))["张建国"] == "head"
