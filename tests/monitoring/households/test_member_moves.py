"""Reading a household's member moves (成员迁入迁出记录): in and out, newest first, in pages,
ID numbers masked, the read audited; another area's household answers 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.tables import audit_log
from tests.monitoring.households.support import member, posting, register, writes
from tests.support.identities import OTHER_VILLAGE, TokenFactory

Client = Callable[[str], AsyncClient]


async def _move(
    client: AsyncClient, headers: dict[str, str], person: dict[str, Any], to: str, reason: str
) -> None:
    answer = await client.post(
        f"/api/v1/members/{person['id']}/move",
        json={"to_household_id": to, "relationship": "other_relative", "reason": reason},
        headers=posting(headers),
    )
    assert answer.status_code == 200, answer.text


async def test_moves_in_and_out_newest_first(
    client_for: Client, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    officer = tokens.village_officer()
    numbers: list[str] = []
    async with client_for("monitoring") as client:
        first = await register(client, officer)
        second = await register(client, officer, kind="ordinary", members=[member(name="赵大海")])
        people = {person["name"]: person for person in first["members"]}
        son, spouse = people["王小明"], people["李秀英"]
        numbers = [son["person_number"], spouse["person_number"]]
        await _move(client, officer, son, second["id"], "分户")
        await _move(client, officer, spouse, second["id"], "投靠亲属")
        await _move(client, officer, son, first["id"], "返回原户")

        path = f"/api/v1/households/{first['id']}/member-moves"
        answer = await client.get(path, headers=officer)
        assert answer.status_code == 200, answer.text
        moves = answer.json()["items"]
        assert [(m["name"], m["direction"], m["reason"]) for m in moves] == [
            ("王小明", "in", "返回原户"),
            ("李秀英", "out", "投靠亲属"),
            ("王小明", "out", "分户"),
        ]
        latest = moves[0]
        assert latest["from_household_id"] == second["id"]
        assert latest["to_household_id"] == first["id"]
        assert latest["member_id"] == son["id"] and latest["moved_by"] and latest["moved_at"]
        assert [m["person_number"] for m in moves] == [numbers[0], numbers[1], numbers[0]]
        assert all("*" in m["person_number"] for m in moves)

        seen: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
            page = (await client.get(path, params=params, headers=officer)).json()
            seen += [m["id"] for m in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [m["id"] for m in moves]

        other_side = await client.get(
            f"/api/v1/households/{second['id']}/member-moves", headers=officer
        )
        assert [m["direction"] for m in other_side.json()["items"]] == ["out", "in", "in"]
        untouched = await register(client, officer, kind="ordinary", members=[member(name="孙安")])
        empty = await client.get(
            f"/api/v1/households/{untouched['id']}/member-moves", headers=officer
        )
        assert empty.json() == {"items": [], "next_cursor": None}

        bad = await client.get(path, params={"cursor": "nonsense"}, headers=officer)
        assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "query.cursor"
    async with apps["monitoring"].state.database.sessionmaker() as session:
        views = await session.scalars(
            select(audit_log.c.details["view"].astext).where(
                audit_log.c.entity_id == first["id"], audit_log.c.action == "read"
            )
        )
        assert "member_moves" in views.all()


async def test_another_area_gets_404_and_nothing_written(
    client_for: Client, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        first = await register(client, officer)
        second = await register(client, officer, kind="ordinary", members=[member(name="赵大海")])
        son = next(person for person in first["members"] if person["name"] == "王小明")
        await _move(client, officer, son, second["id"], "分户")
        counts = await writes(apps["monitoring"])
        for outsider in (tokens.village_officer(OTHER_VILLAGE), tokens.other_county_admin()):
            answer = await client.get(
                f"/api/v1/households/{first['id']}/member-moves", headers=outsider
            )
            assert answer.status_code == 404 and answer.json()["code"] == "not_found"
            assert "王小明" not in answer.text
        assert await writes(apps["monitoring"]) == counts
