"""Every `/clients/{id}` endpoint answers 404 for another county's client and for a missing id,
and changes nothing; roles that do not manage accounts get 403."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from httpx import AsyncClient, Response

from services.common.auth.roles import Role
from tests.gateway.users.support import (
    CLIENTS,
    client_sign_in,
    create_client_ok,
    idempotent,
    if_match,
    post_client,
    problem,
)
from tests.support.identities import (
    CITY,
    COUNTY,
    PROVINCE,
    TOWNSHIP,
    VILLAGE,
    TokenFactory,
)


async def _call(
    gateway: AsyncClient, action: str, client_id: Any, headers: dict[str, str]
) -> Response:
    path = f"{CLIENTS}/{client_id}"
    if action == "get":
        return await gateway.get(path, headers=headers)
    if action == "patch":
        return await gateway.patch(path, json={"active": False}, headers=if_match(headers, 1))
    return await gateway.post(f"{path}/secret", headers=idempotent(headers))


ID_ACTIONS = ["get", "patch", "secret"]


@pytest.mark.parametrize("action", ID_ACTIONS)
async def test_another_countys_admin_gets_404_and_changes_nothing(
    gateway: AsyncClient, tokens: TokenFactory, action: str
) -> None:
    feed = await create_client_ok(
        gateway,
        tokens.county_admin(),
        client_id="zhecheng-water",
        role="department_feed",
        area_code=COUNTY,
    )
    problem(await _call(gateway, action, feed["id"], tokens.other_county_admin()), 404, "not_found")

    after = await gateway.get(f"{CLIENTS}/{feed['id']}", headers=tokens.county_admin())
    assert after.json()["version"] == 1 and after.json()["active"] is True
    assert (
        await client_sign_in(gateway, "zhecheng-water", feed["client_secret"])
    ).status_code == 200


@pytest.mark.parametrize("action", ID_ACTIONS)
async def test_a_missing_client_is_404(
    gateway: AsyncClient, tokens: TokenFactory, action: str
) -> None:
    problem(await _call(gateway, action, uuid.uuid4(), tokens.county_admin()), 404, "not_found")
    problem(await _call(gateway, action, uuid.uuid4(), tokens.administrator()), 404, "not_found")


NOT_MANAGERS = [
    (Role.VILLAGE_OFFICER, VILLAGE),
    (Role.TOWNSHIP_REVIEWER, TOWNSHIP),
    (Role.COUNTY_APPROVER, COUNTY),
    (Role.CITY_VIEWER, CITY),
    (Role.PROVINCE_VIEWER, PROVINCE),
    (Role.PROVINCE_SYSTEM, PROVINCE),
    (Role.DEPARTMENT_FEED, COUNTY),
]


@pytest.mark.parametrize(("role", "area"), NOT_MANAGERS, ids=[role for role, _ in NOT_MANAGERS])
async def test_roles_that_do_not_manage_accounts_are_refused(
    gateway: AsyncClient, tokens: TokenFactory, role: Role, area: str
) -> None:
    headers = tokens.headers(role, area)
    created = await post_client(
        gateway, headers, client_id="self-made", role="department_feed", area_code=COUNTY
    )
    problem(created, 403, "role_not_allowed")
    problem(await gateway.get(CLIENTS, headers=headers), 403, "role_not_allowed")
    listed = await gateway.get(CLIENTS, headers=tokens.administrator(), params={"limit": 500})
    assert "self-made" not in {client["client_id"] for client in listed.json()["items"]}
