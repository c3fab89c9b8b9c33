"""Search by village, name, full or masked ID number; revealing a number needs the scope."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.auth.roles import Role, Scope
from services.common.tables import audit_log
from tests.monitoring.households.support import member, register
from tests.support.identities import COUNTY, VILLAGE, TokenFactory
from tests.support.monitoring import person_number


async def test_search(client_for: Callable[[str], AsyncClient], tokens: TokenFactory) -> None:
    officer = tokens.village_officer()
    number = person_number()
    async with client_for("monitoring") as client:
        wang = await register(
            client,
            officer,
            members=[member(name="王建国", person_number=number), member("son", "王小明")],
        )
        await register(client, officer, kind="ordinary", members=[member(name="赵大海")])

        async def names(**params: str) -> list[str]:
            answer = await client.get("/api/v1/households", params=params, headers=officer)
            assert answer.status_code == 200, answer.text
            return [item["head_name"] for item in answer.json()["items"]]

        assert await names(village=VILLAGE) == ["王建国", "赵大海"]
        assert await names(name="小明") == ["王建国"]
        assert await names(kind="ordinary") == ["赵大海"]
        assert await names(person_number=number) == ["王建国"]
        assert await names(person_number=wang["members"][0]["person_number"]) == ["王建国"]
        assert await names(name="100%") == []
        page = (await client.get("/api/v1/households", params={"limit": 1}, headers=officer)).json()
        rest = (
            await client.get(
                "/api/v1/households",
                params={"limit": 1, "cursor": page["next_cursor"]},
                headers=officer,
            )
        ).json()
        assert [page["items"][0]["head_name"], rest["items"][0]["head_name"]] == [
            "王建国",
            "赵大海",
        ]
        assert rest["next_cursor"] is None
        other = await client.get(
            "/api/v1/households", headers=tokens.headers(Role.COUNTY_ADMIN, "411422000000")
        )
        assert other.json()["items"] == []
        bad = await client.get(
            "/api/v1/households", params={"person_number": "4114241980"}, headers=officer
        )
        assert bad.status_code == 422


async def test_reveal_needs_the_scope_and_is_audited(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    number = person_number()
    async with client_for("monitoring") as client:
        created = await register(
            client, tokens.village_officer(), members=[member(person_number=number)]
        )
        member_id = created["members"][0]["id"]
        path = f"/api/v1/members/{member_id}/person-number"
        refused = await client.get(path, headers=tokens.headers(Role.COUNTY_APPROVER, COUNTY))
        assert refused.status_code == 403 and refused.json()["code"] == "scope_required"
        revealer = tokens.headers(
            Role.COUNTY_APPROVER, COUNTY, scopes=[Scope.PERSONAL_DATA_REVEAL.value]
        )
        shown = await client.get(path, headers=revealer)
        assert shown.status_code == 200 and shown.json()["person_number"] == number
        elsewhere = await client.get(
            path,
            headers=tokens.headers(
                Role.COUNTY_APPROVER, "411422000000", scopes=[Scope.PERSONAL_DATA_REVEAL.value]
            ),
        )
        assert elsewhere.status_code == 404
    async with apps["monitoring"].state.database.sessionmaker() as session:
        actions = (
            await session.scalars(
                select(audit_log.c.action)
                .where(audit_log.c.entity_id == member_id)
                .order_by(audit_log.c.id)
            )
        ).all()
    assert actions == ["create", "reveal_person_number"]
