"""Pulling changes (下载变更): the caller's villages only, latest state once per page, code
lists on the first pull, gzip when accepted, and a 500-household village in one small request."""

from __future__ import annotations

import gzip
from typing import Any

import httpx
from fastapi import FastAPI

from tests.monitoring.sync.support import PULL, new_household, push
from tests.support.identities import OTHER_VILLAGE, TokenFactory

VILLAGE_HOUSEHOLDS = 500
ONE_MEGABYTE = 1024 * 1024


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://monitoring")


async def test_pull_serves_own_villages_latest_state_then_only_new_changes(
    committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = committing_apps["monitoring"]
    officer = tokens.village_officer()
    async with client(app) as http:
        mine = await push(http, officer, [new_household()])
        await push(http, tokens.administrator(), [new_household(village=OTHER_VILLAGE)])
        member = await _first_member(http, officer)
        change = {"work_place": {"base": None, "value": "河南郑州"}}
        await push(
            http,
            officer,
            [
                {
                    "operation_id": "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                    "kind": "update_member",
                    "member_id": member["id"],
                    "base_version": 1,
                    "changes": change,
                }
            ],
        )
        first = (await http.get(PULL, headers=officer)).json()
        again = await http.get(PULL, params={"cursor": first["next_cursor"]}, headers=officer)
        await push(http, officer, [_visitless_update(mine[0]["record_id"])])
        later = await http.get(PULL, params={"cursor": first["next_cursor"]}, headers=officer)
    households = [i for i in first["items"] if i["entity"] == "household"]
    people = [i for i in first["items"] if i["entity"] == "member"]
    assert [h["id"] for h in households] == [mine[0]["record_id"]]  # not the other village's
    assert len(people) == 2 and len({p["id"] for p in people}) == 2  # once each, latest state
    moved = next(p for p in people if p["id"] == member["id"])
    assert moved["version"] == 2 and moved["record"]["work_place"] == "河南郑州"
    assert "*" in moved["record"]["person_number"]  # masked
    assert first["code_lists"]["risk_type"] and again.json()["code_lists"] is None
    assert again.json()["items"] == []
    assert [i["record"]["address"] for i in later.json()["items"]] == ["二组8号"]


async def test_first_pull_of_a_500_household_village_is_under_a_megabyte_gzipped(
    committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = committing_apps["monitoring"]
    officer = tokens.village_officer()
    async with client(app) as http:
        for _ in range(VILLAGE_HOUSEHOLDS // 50):
            outcomes = await push(http, officer, [new_household(members=3) for _i in range(50)])
            assert {o["status"] for o in outcomes} == {"applied"}, outcomes[0]
        answer = await http.get(
            PULL, params={"limit": 5000}, headers={**officer, "Accept-Encoding": "gzip"}
        )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-encoding"] == "gzip"
    compressed = len(answer.content)  # httpx decodes the body; measure the wire size instead
    wire = int(answer.headers["content-length"])
    body = answer.json()
    assert body["has_more"] is False
    assert sum(i["entity"] == "household" for i in body["items"]) == VILLAGE_HOUSEHOLDS
    assert sum(i["entity"] == "member" for i in body["items"]) == 3 * VILLAGE_HOUSEHOLDS
    assert wire < ONE_MEGABYTE, wire
    assert len(gzip.compress(answer.content)) < ONE_MEGABYTE and compressed > wire


async def _first_member(http: httpx.AsyncClient, officer: dict[str, str]) -> dict[str, Any]:
    # The feed of the household's creation names its members.
    page = (await http.get(PULL, headers=officer)).json()
    return next(
        i["record"]
        for i in page["items"]
        if i["entity"] == "member" and i["record"]["relationship"] == "son"
    )


def _visitless_update(household_id: str) -> dict[str, Any]:
    return {
        "operation_id": "1" * 8 + "-0000-4000-8000-" + "0" * 12,
        "kind": "update_household",
        "household_id": household_id,
        "base_version": 1,
        "changes": {"address": {"base": "一组3号", "value": "二组8号"}},
    }
