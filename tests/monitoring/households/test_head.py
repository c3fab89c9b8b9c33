"""Changing the head of household (变更户主): another member becomes head and the former head
takes the relationship given, in one transaction; the former head may then leave (e.g. as
deceased). Every refusal writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.monitoring.households.support import (
    figures,
    member,
    posting,
    register,
    writes,
)
from tests.support.history import history_of
from tests.support.identities import OTHER_VILLAGE, TOWNSHIP, TokenFactory

Client = Callable[[str], AsyncClient]


def head_change(headers: dict[str, str], version: int) -> dict[str, str]:
    return {**posting(headers), "If-Match": f'"{version}"'}


def by_name(household: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {person["name"]: person for person in household["members"]}


async def test_change_head_then_the_former_head_leaves_as_deceased(
    client_for: Client, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, officer = apps["monitoring"], tokens.village_officer()
    async with client_for("monitoring") as client:
        created = await register(client, officer)
        people = by_name(created)
        head, spouse = people["王建国"], people["李秀英"]
        before = await figures(app)
        headers = head_change(officer, created["version"])
        body = {"member_id": spouse["id"], "former_head_relationship": "spouse"}
        changed = await client.post(
            f"/api/v1/households/{created['id']}/head", json=body, headers=headers
        )
        assert changed.status_code == 200, changed.text
        household = changed.json()
        assert household["head_name"] == "李秀英"
        assert household["version"] == created["version"] + 1
        assert changed.headers["ETag"] == f'"{household["version"]}"'
        now = by_name(household)
        assert (now["李秀英"]["relationship"], now["李秀英"]["version"]) == ("head", 2)
        assert (now["王建国"]["relationship"], now["王建国"]["version"]) == ("spouse", 2)
        assert now["王小明"]["relationship"] == "son" and now["王小明"]["version"] == 1
        assert await figures(app) == before
        for record in (created["id"], head["id"], spouse["id"]):
            fed, audited = await history_of(app, record)
            written = [action for action in audited if action != "read"]
            assert (fed[-1], written[-1]) == ("update", "change_head"), record

        # The same request again is a replay: the same answer, nothing written twice.
        counts = await writes(app)
        replay = await client.post(
            f"/api/v1/households/{created['id']}/head", json=body, headers=headers
        )
        assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json() == household and await writes(app) == counts

        died = await client.post(
            f"/api/v1/members/{head['id']}/leave",
            json={"left_on": "2026-10-01", "reason": "deceased"},
            headers=posting(officer),
        )
        assert died.status_code == 200, died.text
        assert died.json()["active"] is False and died.json()["left_reason"] == "deceased"
        after = (await client.get(f"/api/v1/households/{created['id']}", headers=officer)).json()
        assert after["member_count"] == 2 and after["head_name"] == "李秀英"
    assert await figures(app) == {
        **before,
        "people": before["people"] - 1,
        "exited_poverty_people": before["exited_poverty_people"] - 1,
    }


async def test_refusals_write_nothing(
    client_for: Client, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, officer = apps["monitoring"], tokens.village_officer()
    async with client_for("monitoring") as client:
        created = await register(client, officer)
        other = await register(client, officer, kind="ordinary", members=[member(name="赵大海")])
        people = by_name(created)
        head, spouse, son = people["王建国"], people["李秀英"], people["王小明"]
        left = await client.post(
            f"/api/v1/members/{son['id']}/leave",
            json={"left_on": "2026-10-01", "reason": "moved_out"},
            headers=posting(officer),
        )
        assert left.status_code == 200, left.text
        version = (await client.get(f"/api/v1/households/{created['id']}", headers=officer)).json()[
            "version"
        ]
        path = f"/api/v1/households/{created['id']}/head"
        counts = await writes(app)

        def body(person: dict[str, Any], relationship: str = "spouse") -> dict[str, Any]:
            return {"member_id": person["id"], "former_head_relationship": relationship}

        no_version = await client.post(path, json=body(spouse), headers=posting(officer))
        assert no_version.status_code == 428, no_version.text
        stale = await client.post(path, json=body(spouse), headers=head_change(officer, 1))
        assert stale.status_code == 412 and stale.json()["current"]["version"] == version
        problems = {
            "unknown relationship": (body(spouse, "cousin"), 422, "validation_failed"),
            "head again": (body(spouse, "head"), 422, "validation_failed"),
            "another household's member": (
                body(other["members"][0]),
                404,
                "member_not_in_household",
            ),
            "left the household": (body(son), 409, "member_inactive"),
            "already head": (body(head), 409, "member_already_head"),
        }
        for case, (request, status, code) in problems.items():
            answer = await client.post(path, json=request, headers=head_change(officer, version))
            assert (answer.status_code, answer.json()["code"]) == (status, code), (
                case,
                answer.text,
            )
            assert answer.headers["content-type"] == "application/problem+json"
        fields = {
            relationship: (
                await client.post(
                    path, json=body(spouse, relationship), headers=head_change(officer, version)
                )
            ).json()["fields"][0]
            for relationship in ("cousin", "head")
        }
        assert {(f["field"], f["rule"]) for f in fields.values()} == {
            ("body.former_head_relationship", "code_unknown"),
            ("body.former_head_relationship", "one_head"),
        }
        reviewer = tokens.headers(Role.TOWNSHIP_REVIEWER, TOWNSHIP)
        refused = await client.post(path, json=body(spouse), headers=head_change(reviewer, version))
        assert refused.status_code == 403, refused.text
        assert await writes(app) == counts
        unchanged = (
            await client.get(f"/api/v1/households/{created['id']}", headers=officer)
        ).json()
    assert unchanged["version"] == version and unchanged["head_name"] == "王建国"


async def test_another_area_gets_404_and_nothing_written(
    client_for: Client, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, officer = apps["monitoring"], tokens.village_officer()
    async with client_for("monitoring") as client:
        created = await register(client, officer)
        spouse = by_name(created)["李秀英"]
        counts = await writes(app)
        for outsider in (tokens.village_officer(OTHER_VILLAGE), tokens.other_county_admin()):
            answer = await client.post(
                f"/api/v1/households/{created['id']}/head",
                json={"member_id": spouse["id"], "former_head_relationship": "spouse"},
                headers=head_change(outsider, created["version"]),
            )
            assert answer.status_code == 404 and answer.json()["code"] == "not_found", answer.text
        assert await writes(app) == counts
        unchanged = (
            await client.get(f"/api/v1/households/{created['id']}", headers=officer)
        ).json()
    assert unchanged["head_name"] == "王建国" and unchanged["version"] == created["version"]
