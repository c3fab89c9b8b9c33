"""`GET /cases`: filters, overdue cases, keyset pages."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from tests.monitoring.cases.support import (
    CASES,
    Staff,
    act_ok,
    backdate,
    elimination,
    elimination_candidate,
    identification,
    open_ok,
    problem,
)
from tests.support.identities import TokenFactory
from tests.support.monitoring import create_household


async def test_filters_and_overdue(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, staff = apps["monitoring"], Staff(tokens)
    first, second = await create_household(app), await create_household(app)
    candidate = await elimination_candidate(app)
    async with client_for("monitoring") as client:
        late = await open_ok(client, staff.officer, **identification(first))
        await backdate(app, late["id"], days=20)
        fresh = await open_ok(client, staff.officer, **identification(second))
        fresh = await act_ok(client, staff.officer, fresh, "home_verification", consent_signed=True)
        ending = await open_ok(client, staff.officer, **elimination(candidate))

        async def ids(**params: object) -> list[str]:
            answer = await client.get(CASES, params=params, headers=staff.county_admin)
            assert answer.status_code == 200, answer.text
            return [item["id"] for item in answer.json()["items"]]

        # Oldest first: the backdated case, then the two opened today in id order.
        assert (await ids())[0] == late["id"]
        assert sorted(await ids()) == sorted([late["id"], fresh["id"], ending["id"]])
        assert await ids(overdue="true") == [late["id"]]
        assert sorted(await ids(overdue="false")) == sorted([fresh["id"], ending["id"]])
        assert await ids(state="data_comparison") == [fresh["id"]]
        assert await ids(procedure="elimination") == [ending["id"]]
        assert await ids(household_id=str(second.id)) == [fresh["id"]]
        answer = await client.get(CASES, params={"overdue": "true"}, headers=staff.officer)
        assert answer.json()["items"][0]["overdue"] is True
        problem(
            await client.get(CASES, params={"state": "lost"}, headers=staff.officer),
            422,
            "validation_failed",
        )


async def test_pages_follow_the_cursor(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, staff = apps["monitoring"], Staff(tokens)
    opened = []
    async with client_for("monitoring") as client:
        for _ in range(3):
            household = await create_household(app)
            opened.append((await open_ok(client, staff.officer, **identification(household)))["id"])
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (await client.get(CASES, params=params, headers=staff.officer)).json()
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(opened) and len(seen) == 3
        bad = await client.get(CASES, params={"cursor": "bm90LWEtY3Vyc29y"}, headers=staff.officer)
        problem(bad, 422, "validation_failed", "cursor_invalid")
