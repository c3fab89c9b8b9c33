"""Incremental pulls of a service's change feed through the gateway with a cursor: pages
continue where the last one stopped, only the province's rows come back, and polling with the
last cursor later brings exactly what was written since."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from httpx import AsyncClient

from tests.gateway.provincial.support import platform
from tests.support.identities import VILLAGE, TokenFactory
from tests.support.monitoring import person_number

pytestmark = pytest.mark.committing
HEBEI_VILLAGE = "130102001001"  # 石家庄市长安区, another province


async def _register(gateway: AsyncClient, tokens: TokenFactory, village: str, name: str) -> str:
    number = person_number(region=village[:6], birth=date(1966, 8, 9))
    answer = await gateway.post(
        "/api/v1/monitoring/households",
        json={
            "area_code": village,
            "kind": "ordinary",
            "members": [{"person_number": number, "name": name, "relationship": "head"}],
        },
        headers={**tokens.administrator(), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def _pull(
    gateway: AsyncClient, headers: dict[str, str], after: str | None = None
) -> dict[str, Any]:
    params = {"entity": "household", "limit": "2"} | ({"after": after} if after else {})
    answer = await gateway.get("/api/v1/monitoring/changes", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


async def test_pages_continue_and_stay_in_the_province(
    committing_gateway: AsyncClient, tokens: TokenFactory
) -> None:
    gateway = committing_gateway
    ours = [await _register(gateway, tokens, VILLAGE, name) for name in ("甲", "乙", "丙")]
    theirs = await _register(gateway, tokens, HEBEI_VILLAGE, "丁")

    first = await _pull(gateway, platform(tokens))
    assert [item["entity_id"] for item in first["items"]] == ours[:2]
    second = await _pull(gateway, platform(tokens), first["next_cursor"])
    assert [item["entity_id"] for item in second["items"]] == ours[2:]
    assert all(item["area_code"] == VILLAGE for item in first["items"] + second["items"])
    last = await _pull(gateway, platform(tokens), second["next_cursor"])
    assert last == {"items": [], "next_cursor": second["next_cursor"]}

    # The other province's household is in the feed, for whoever may see it.
    everyone = await gateway.get(
        "/api/v1/monitoring/changes",
        params={"entity": "household", "limit": "10"},
        headers=tokens.administrator(),
    )
    assert [item["entity_id"] for item in everyone.json()["items"]] == [*ours, theirs]

    # Later writes arrive on the next poll with the kept cursor, and only those.
    later = await _register(gateway, tokens, VILLAGE, "戊")
    await _register(gateway, tokens, HEBEI_VILLAGE, "己")
    fresh = await _pull(gateway, platform(tokens), last["next_cursor"])
    assert [(i["entity_id"], i["operation"]) for i in fresh["items"]] == [(later, "create")]
