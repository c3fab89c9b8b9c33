"""Members: add, correct with If-Match, leave, move between households with history."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.monitoring.models import MemberMove
from tests.monitoring.households.support import figures, member, posting, register
from tests.support.identities import TokenFactory


async def test_add_correct_leave_and_move(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        first = await register(client, officer)
        second = await register(client, officer, kind="ordinary", members=[member(name="赵大海")])
        added = await client.post(
            f"/api/v1/households/{first['id']}/members",
            json=member("daughter", "王小红"),
            headers=posting(officer),
        )
        assert added.status_code == 201, added.text
        daughter = added.json()
        assert await figures(apps["monitoring"]) == {
            "households": 2,
            "people": 5,
            "exited_poverty_households": 1,
            "exited_poverty_people": 4,
        }

        stale = await client.patch(
            f"/api/v1/members/{daughter['id']}",
            json={"education": "primary"},
            headers={**officer, "If-Match": "7"},
        )
        assert stale.status_code == 412 and stale.json()["current"]["version"] == 1
        fixed = await client.patch(
            f"/api/v1/members/{daughter['id']}",
            json={"education": "primary"},
            headers={**officer, "If-Match": "1"},
        )
        assert fixed.status_code == 200 and fixed.json()["education"] == "primary"

        moved = await client.post(
            f"/api/v1/members/{daughter['id']}/move",
            json={"to_household_id": second["id"], "relationship": "spouse", "reason": "婚嫁"},
            headers=posting(officer),
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["household_id"] == second["id"]
        assert await figures(apps["monitoring"]) == {
            "households": 2,
            "people": 5,
            "exited_poverty_households": 1,
            "exited_poverty_people": 3,
        }

        left = await client.post(
            f"/api/v1/members/{first['members'][2]['id']}/leave",
            json={"left_on": "2026-10-01", "reason": "moved_out"},
            headers=posting(officer),
        )
        assert left.status_code == 200 and left.json()["active"] is False
        again = await client.post(
            f"/api/v1/members/{first['members'][2]['id']}/leave",
            json={"left_on": "2026-10-01", "reason": "moved_out"},
            headers=posting(officer),
        )
        assert again.status_code == 409 and again.json()["code"] == "member_inactive"
        household = (await client.get(f"/api/v1/households/{first['id']}", headers=officer)).json()
        assert household["member_count"] == 2
    assert (await figures(apps["monitoring"]))["people"] == 4
    async with apps["monitoring"].state.database.sessionmaker() as session:
        history = (await session.scalars(select(MemberMove))).all()
    assert [(str(m.from_household_id), str(m.to_household_id), m.reason) for m in history] == [
        (first["id"], second["id"], "婚嫁")
    ]


async def test_head_rules(client_for: Callable[[str], AsyncClient], tokens: TokenFactory) -> None:
    """One head: not added, not made by a correction; the head neither leaves nor moves until
    another member is made head (`POST /households/{id}/head`, see test_head.py)."""
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        created = await register(client, officer)
        other = await register(client, officer, kind="ordinary", members=[member(name="赵大海")])
        people = {person["name"]: person for person in created["members"]}
        head, spouse = people["王建国"], people["李秀英"]
        second_head = await client.post(
            f"/api/v1/households/{created['id']}/members",
            json=member("head"),
            headers=posting(officer),
        )
        assert (
            second_head.status_code == 422 and second_head.json()["fields"][0]["rule"] == "one_head"
        )
        head_leaves = await client.post(
            f"/api/v1/members/{head['id']}/leave",
            json={"left_on": "2026-10-01", "reason": "deceased"},
            headers=posting(officer),
        )
        assert head_leaves.status_code == 409 and head_leaves.json()["code"] == "head_cannot_leave"
        head_moves = await client.post(
            f"/api/v1/members/{head['id']}/move",
            json={"to_household_id": other["id"], "relationship": "parent", "reason": "投靠子女"},
            headers=posting(officer),
        )
        assert head_moves.status_code == 409 and head_moves.json()["code"] == "head_cannot_leave"
        for member_id, relationship in ((spouse["id"], "head"), (head["id"], "spouse")):
            corrected = await client.patch(
                f"/api/v1/members/{member_id}",
                json={"relationship": relationship},
                headers={**officer, "If-Match": "1"},
            )
            assert corrected.status_code == 422, corrected.text
            assert corrected.json()["fields"][0]["rule"] == "one_head"
        renamed = await client.patch(
            f"/api/v1/members/{head['id']}",
            json={"name": "王建军"},
            headers={**officer, "If-Match": "1"},
        )
        assert renamed.status_code == 200
        household = (
            await client.get(f"/api/v1/households/{created['id']}", headers=officer)
        ).json()
        assert household["head_name"] == "王建军"

        changed = await client.post(
            f"/api/v1/households/{created['id']}/head",
            json={"member_id": spouse["id"], "former_head_relationship": "spouse"},
            headers={**posting(officer), "If-Match": str(household["version"])},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["head_name"] == spouse["name"]
        former_head_leaves = await client.post(
            f"/api/v1/members/{head['id']}/leave",
            json={"left_on": "2026-10-01", "reason": "deceased"},
            headers=posting(officer),
        )
        assert former_head_leaves.status_code == 200, former_head_leaves.text
