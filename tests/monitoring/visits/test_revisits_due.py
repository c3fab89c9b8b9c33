"""`/revisits/due`, the monthly revisit rule: risk-eliminated households in scope that have had
no revisit (回访) in the current calendar month (Asia/Shanghai)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI

from services.common.auth.roles import Role
from services.common.business_time import business_today
from tests.monitoring.plans.support import all_pages, days_ago, posting, problem, set_dates
from tests.support.identities import COUNTY, OTHER_VILLAGE, TokenFactory
from tests.support.monitoring import create_household

DUE = "/api/v1/revisits/due"


def revisit(on: str) -> dict[str, object]:
    return {"kind": "revisit", "visited_on": on, "findings": "收入稳定", "risk_found": False}


async def test_lists_eliminated_households_not_revisited_this_month(
    apps: dict[str, FastAPI],
    client_for: Callable[[str], httpx.AsyncClient],
    tokens: TokenFactory,
) -> None:
    app = apps["monitoring"]
    month_start = business_today().replace(day=1)
    last_month = days_ago((business_today() - month_start).days + 1)
    never = await create_household(app, status="eliminated", head_name="李四")
    lapsed = await create_household(app, status="eliminated")
    done = await create_household(app, status="eliminated")
    monitored = await create_household(app, status="monitored")
    elsewhere = await create_household(app, village=OTHER_VILLAGE, status="eliminated")
    await set_dates(app, never.id, eliminated_on=days_ago(90))
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        for household, on in ((lapsed, last_month), (done, month_start)):
            answer = await client.post(
                f"/api/v1/households/{household.id}/visits",
                json=revisit(on.isoformat()),
                headers=posting(officer),
            )
            assert answer.status_code == 201, answer.text
        # A plain visit is not a revisit.
        visited = await client.post(
            f"/api/v1/households/{never.id}/visits",
            json={**revisit(business_today().isoformat()), "kind": "visit"},
            headers=posting(officer),
        )
        assert visited.status_code == 201, visited.text
        answer = await client.get(DUE, headers=tokens.county_admin())
        pages = await all_pages(client, DUE, tokens.county_admin())
    assert answer.status_code == 200, answer.text
    items = {item["household_id"]: item for item in answer.json()["items"]}
    assert {str(never.id), str(lapsed.id)} <= set(items)
    assert not {str(done.id), str(monitored.id), str(elsewhere.id)} & set(items)
    assert items[str(never.id)] == {
        "household_id": str(never.id),
        "area_code": never.area_code,
        "head_name": "李四",
        "eliminated_on": days_ago(90).isoformat(),
        "last_revisit_on": None,
    }
    assert items[str(lapsed.id)]["last_revisit_on"] == last_month.isoformat()
    assert [household_id for page in pages for household_id in page] == list(items)


async def test_a_bad_cursor_or_a_machine_is_refused(
    client_for: Callable[[str], httpx.AsyncClient], tokens: TokenFactory
) -> None:
    async with client_for("monitoring") as client:
        bad = await client.get(DUE, params={"cursor": "W10"}, headers=tokens.county_admin())
        machine = await client.get(DUE, headers=tokens.headers(Role.DEPARTMENT_FEED, COUNTY))
    problem(bad, 422, "validation_failed", "query.cursor")
    problem(machine, 403, "role_not_allowed")
