"""A member leaving (`leave_member`, 成员减少: death, moving away) and moving to another household
(`move_member`, 成员迁移) offline: applied once, a replay changes nothing, members and households
created earlier in the same batch named by their operation ids, another village's member not
found, bad input rejected naming the field and the rule, and a rejected operation writes
nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.common.business_time import business_today
from services.monitoring.models import AreaFigure, Household, Member, MemberMove
from tests.monitoring.households.support import writes
from tests.monitoring.sync.support import new_household, op, push
from tests.support.identities import OTHER_VILLAGE, TokenFactory
from tests.support.monitoring import create_household, person_number

Client = Callable[[str], httpx.AsyncClient]
YESTERDAY = business_today() - timedelta(days=1)


def leave(reason: str = "deceased", **member: object) -> dict[str, Any]:
    return op(
        "leave_member",
        left_on=YESTERDAY.isoformat(),
        reason=reason,
        **{name: str(value) for name, value in member.items()},
    )


def move(relationship: str = "other_relative", **ids: object) -> dict[str, Any]:
    return op(
        "move_member",
        relationship=relationship,
        reason="分户",
        **{name: str(value) for name, value in ids.items()},
    )


async def member_named(app: FastAPI, household_id: uuid.UUID, name: str) -> uuid.UUID:
    async with app.state.database.sessionmaker() as session:
        found = await session.scalar(
            select(Member.id).where(Member.household_id == household_id, Member.name == name)
        )
    assert found is not None
    return found


async def registry(app: FastAPI) -> dict[str, Any]:
    """Every row a leave or a move touches: members, households, moves, village figures, and
    the change feed and audit log."""
    async with app.state.database.sessionmaker() as session:
        people = await session.execute(
            select(
                Member.id,
                Member.household_id,
                Member.area_code,
                Member.relationship,
                Member.active,
                Member.left_on,
                Member.left_reason,
                Member.version,
            ).order_by(Member.id)
        )
        households = await session.execute(
            select(Household.id, Household.member_count, Household.version).order_by(Household.id)
        )
        moves = await session.scalar(select(func.count()).select_from(MemberMove))
        figures = await session.execute(
            select(AreaFigure.area_code, AreaFigure.year, AreaFigure.metric, AreaFigure.value)
            .where(AreaFigure.value != 0)
            .order_by(AreaFigure.area_code, AreaFigure.year, AreaFigure.metric)
        )
        return {
            "members": people.all(),
            "households": households.all(),
            "moves": moves,
            "figures": figures.all(),
            "writes": await writes(app),
        }


async def test_leave_member_applies_once(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    household = await create_household(app)
    son = await member_named(app, household.id, "张成员1")
    officer = tokens.village_officer()
    died = leave(member_id=son)
    async with client_for("monitoring") as client:
        applied = await push(client, officer, [died])
        after = await registry(app)
        replayed = await push(client, officer, [died])
        again = await push(client, officer, [leave(member_id=son)])
    assert applied[0]["status"] == "applied", applied
    assert (applied[0]["entity"], applied[0]["record_id"], applied[0]["version"]) == (
        "member",
        str(son),
        2,
    )
    assert replayed[0]["status"] == "already_applied"
    assert replayed[0]["record_id"] == str(son) and replayed[0]["version"] == 2
    # The same death sent again under a new operation id is refused, not applied twice.
    assert again[0]["status"] == "rejected" and again[0]["problem"]["code"] == "member_inactive"
    assert await registry(app) == after
    async with app.state.database.sessionmaker() as session:
        stored = await session.get(Member, son)
        home = await session.get(Household, household.id)
    assert stored is not None and not stored.active
    assert (stored.left_on, stored.left_reason, stored.version) == (YESTERDAY, "deceased", 2)
    assert home is not None and (home.member_count, home.version) == (2, 2)


async def test_move_member_applies_once(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    source = await create_household(app)
    target = await create_household(app, members=1, head_name="李老汉")
    son = await member_named(app, source.id, "张成员1")
    officer = tokens.village_officer()
    moved = move(member_id=son, to_household_id=target.id)
    async with client_for("monitoring") as client:
        applied = await push(client, officer, [moved])
        after = await registry(app)
        replayed = await push(client, officer, [moved])
    assert applied[0]["status"] == "applied", applied
    assert (applied[0]["entity"], applied[0]["record_id"], applied[0]["version"]) == (
        "member",
        str(son),
        2,
    )
    assert replayed[0]["status"] == "already_applied" and replayed[0]["version"] == 2
    assert await registry(app) == after
    async with app.state.database.sessionmaker() as session:
        stored = await session.get(Member, son)
        counts = {
            household.id: household.member_count
            for household in await session.scalars(select(Household))
        }
        history = (await session.scalars(select(MemberMove))).all()
    assert stored is not None and stored.active
    assert (stored.household_id, stored.relationship) == (target.id, "other_relative")
    assert counts == {source.id: 2, target.id: 2}
    assert [(m.member_id, m.from_household_id, m.to_household_id, m.reason) for m in history] == [
        (son, source.id, target.id, "分户")
    ]


async def test_records_created_in_the_same_batch_are_named_by_ref(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    household = await create_household(app, members=1, head_name="李老汉")

    def added(name: str) -> dict[str, Any]:
        person = {
            "person_number": person_number(birth=date(1990, 1, 5)),
            "name": name,
            "relationship": "son",
        }
        return op("add_member", household_id=str(household.id), member=person)

    newborn, grown_son = added("李新"), added("李强")
    split_off = new_household(members=1)  # 分户: the son starts a household of his own
    operations = [
        newborn,
        leave(reason="other", member_ref=newborn["operation_id"]),
        grown_son,
        split_off,
        move(
            relationship="sibling",
            member_ref=grown_son["operation_id"],
            to_household_ref=split_off["operation_id"],
        ),
    ]
    async with client_for("monitoring") as client:
        outcomes = await push(client, tokens.village_officer(), operations)
    assert [o["status"] for o in outcomes] == ["applied"] * 5, outcomes
    assert outcomes[1]["record_id"] == outcomes[0]["record_id"]
    assert outcomes[4]["record_id"] == outcomes[2]["record_id"]
    async with app.state.database.sessionmaker() as session:
        left = await session.get(Member, uuid.UUID(outcomes[0]["record_id"]))
        moved = await session.get(Member, uuid.UUID(outcomes[2]["record_id"]))
        home = await session.get(Household, household.id)
        new_home = await session.get(Household, uuid.UUID(outcomes[3]["record_id"]))
    assert left is not None and (left.active, left.left_reason) == (False, "other")
    assert home is not None and new_home is not None and moved is not None
    assert (moved.household_id, moved.relationship) == (new_home.id, "sibling")
    assert (home.member_count, new_home.member_count) == (1, 2)


async def test_another_village_is_not_found_and_nothing_written(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    household = await create_household(app)
    theirs = await create_household(app, village=OTHER_VILLAGE, members=1, head_name="王老汉")
    son = await member_named(app, household.id, "张成员1")
    daughter = await member_named(app, household.id, "张成员2")
    before = await registry(app)
    async with client_for("monitoring") as client:
        outsider = await push(
            client,
            tokens.village_officer(OTHER_VILLAGE),
            [leave(member_id=son), move(member_id=daughter, to_household_id=theirs.id)],
        )
        # Our own member into their household: the target is not in our area.
        ours = await push(
            client, tokens.village_officer(), [move(member_id=son, to_household_id=theirs.id)]
        )
    assert [o["status"] for o in outsider] == ["rejected"] * 2, outsider
    assert [o["problem"]["code"] for o in outsider] == ["not_found"] * 2
    assert ours[0]["status"] == "rejected", ours
    assert [(f["field"], f["rule"]) for f in ours[0]["problem"]["fields"]] == [
        ("operations.0.to_household_id", "household_unknown")
    ]
    assert await registry(app) == before


async def test_bad_input_is_rejected_naming_field_and_rule_and_writes_nothing(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    household = await create_household(app)
    other = await create_household(app, members=1, head_name="李老汉")
    head = await member_named(app, household.id, "张建国")
    son = await member_named(app, household.id, "张成员1")
    no_date = leave(member_id=son)
    del no_date["left_on"]
    both = {**leave(member_id=son), "member_ref": str(uuid.uuid4())}
    operations = [
        leave(reason="eaten_by_wolves", member_id=son),
        no_date,
        both,
        {**move(member_id=son, to_household_id=other.id), "reason": "   "},
        move(relationship="in_law_of_a_cousin", member_id=son, to_household_id=other.id),
        move(relationship="head", member_id=son, to_household_id=other.id),
        move(member_id=son, to_household_id=household.id),
        move(member_id=son),
    ]
    refused = [
        leave(member_id=head),
        move(member_id=head, to_household_id=other.id),
        leave(member_id=uuid.uuid4()),
        leave(member_ref=uuid.uuid4()),
    ]
    before = await registry(app)
    async with client_for("monitoring") as client:
        outcomes = await push(client, tokens.village_officer(), operations + refused)
    assert {o["status"] for o in outcomes} == {"rejected"}, outcomes
    named = [
        [(f["field"], f["rule"]) for f in o["problem"]["fields"]]
        for o in outcomes[: len(operations)]
    ]
    assert named == [
        [("operations.0.reason", "code_unknown")],
        [("operations.1.left_on", "missing")],
        [("operations.2", "value_error")],
        [("operations.3.reason", "string_too_short")],
        [("operations.4.relationship", "code_unknown")],
        [("operations.5.relationship", "one_head")],
        [("operations.6.to_household_id", "same_household")],
        [("operations.7", "value_error")],
    ]
    assert [o["problem"]["code"] for o in outcomes[len(operations) :]] == [
        "head_cannot_leave",
        "head_cannot_leave",
        "not_found",
        "dependency_pending",
    ]
    assert outcomes[-1]["problem"]["retryable"] is True
    assert await registry(app) == before
