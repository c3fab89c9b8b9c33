"""Every `/users/{id}` endpoint answers 404 for another county's user and for a missing id,
and changes nothing; roles that do not manage accounts get 403."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from httpx import AsyncClient, Response

from services.common.auth.roles import Role
from tests.gateway.users.support import (
    PASSWORD,
    USERS,
    create_user_ok,
    idempotent,
    if_match,
    post_user,
    problem,
    sign_in,
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
    gateway: AsyncClient, action: str, user_id: Any, headers: dict[str, str]
) -> Response:
    path = f"{USERS}/{user_id}"
    if action == "get":
        return await gateway.get(path, headers=headers)
    if action == "patch":
        return await gateway.patch(
            path, json={"display_name": "改名"}, headers=if_match(headers, 1)
        )
    return await gateway.post(f"{path}/{action}", headers=idempotent(headers))


ID_ACTIONS = ["get", "patch", "password-reset", "unlock"]


@pytest.mark.parametrize("action", ID_ACTIONS)
async def test_another_countys_admin_gets_404_and_changes_nothing(
    gateway: AsyncClient, tokens: TokenFactory, action: str
) -> None:
    user = await create_user_ok(
        gateway,
        tokens.county_admin(),
        username="guo.ping",
        role="county_approver",
        area_code=COUNTY,
        password=PASSWORD,
    )
    answer = await _call(gateway, action, user["id"], tokens.other_county_admin())
    problem(answer, 404, "not_found")

    after = await gateway.get(f"{USERS}/{user['id']}", headers=tokens.county_admin())
    assert after.json()["version"] == 1 and after.json()["display_name"] == "guo.ping"
    assert (await sign_in(gateway, "guo.ping", PASSWORD)).status_code == 200


@pytest.mark.parametrize("action", ID_ACTIONS)
async def test_a_missing_user_is_404(
    gateway: AsyncClient, tokens: TokenFactory, action: str
) -> None:
    problem(await _call(gateway, action, uuid.uuid4(), tokens.county_admin()), 404, "not_found")
    problem(await _call(gateway, action, uuid.uuid4(), tokens.administrator()), 404, "not_found")


async def test_a_malformed_id_is_422(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await gateway.get(f"{USERS}/not-a-uuid", headers=tokens.county_admin())
    problem(answer, 422, "validation_failed")


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
    created = await post_user(
        gateway, headers, username="not.allowed", role="county_approver", area_code=COUNTY
    )
    problem(created, 403, "role_not_allowed")
    problem(await gateway.get(USERS, headers=headers), 403, "role_not_allowed")
    listed = await gateway.get(USERS, headers=tokens.administrator(), params={"limit": 500})
    assert "not.allowed" not in {user["username"] for user in listed.json()["items"]}


async def test_without_a_token_is_401(gateway: AsyncClient) -> None:
    problem(await gateway.get(USERS), 401, "token_missing")
