"""Password reset and unlock: the new password signs in, the old one no longer; a locked
account opens again; and a county administrator cannot take over accounts it could not grant."""

from __future__ import annotations

from httpx import AsyncClient

from tests.gateway.users.support import (
    PASSWORD,
    USERS,
    create_user_ok,
    idempotent,
    problem,
    sign_in,
)
from tests.support.identities import COUNTY, TokenFactory


async def test_password_reset_replaces_the_password(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    user = await create_user_ok(
        gateway,
        tokens.county_admin(),
        username="deng.wei",
        role="county_approver",
        area_code=COUNTY,
        password=PASSWORD,
    )
    answer = await gateway.post(
        f"{USERS}/{user['id']}/password-reset", headers=idempotent(tokens.county_admin())
    )
    assert answer.status_code == 200, answer.text
    new_password = answer.json()["password"]
    assert new_password and new_password != PASSWORD

    problem(await sign_in(gateway, "deng.wei", PASSWORD), 401, "invalid_credentials")
    assert (await sign_in(gateway, "deng.wei", new_password)).status_code == 200
    after = await gateway.get(f"{USERS}/{user['id']}", headers=tokens.county_admin())
    assert after.json()["version"] == 2


async def test_unlock_after_lockout(gateway: AsyncClient, tokens: TokenFactory) -> None:
    user = await create_user_ok(
        gateway,
        tokens.county_admin(),
        username="feng.yi",
        role="county_approver",
        area_code=COUNTY,
        password=PASSWORD,
    )
    for _ in range(5):
        problem(await sign_in(gateway, "feng.yi", "a wrong guess"), 401, "invalid_credentials")
    problem(await sign_in(gateway, "feng.yi", PASSWORD), 401, "account_locked")
    locked = await gateway.get(f"{USERS}/{user['id']}", headers=tokens.county_admin())
    assert locked.json()["locked_until"] is not None

    answer = await gateway.post(
        f"{USERS}/{user['id']}/unlock", headers=idempotent(tokens.county_admin())
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["locked_until"] is None
    assert answer.json()["version"] == 2
    assert (await sign_in(gateway, "feng.yi", PASSWORD)).status_code == 200


async def test_a_password_reset_also_lifts_a_lockout(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    user = await create_user_ok(
        gateway,
        tokens.county_admin(),
        username="jiang.bo",
        role="county_approver",
        area_code=COUNTY,
    )
    for _ in range(5):
        await sign_in(gateway, "jiang.bo", "a wrong guess")
    answer = await gateway.post(
        f"{USERS}/{user['id']}/password-reset", headers=idempotent(tokens.county_admin())
    )
    assert answer.status_code == 200, answer.text
    assert (await sign_in(gateway, "jiang.bo", answer.json()["password"])).status_code == 200


async def test_a_county_admin_cannot_reset_an_administrators_password(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    admin = await create_user_ok(
        gateway,
        tokens.administrator(),
        username="county.root",
        role="administrator",
        area_code=COUNTY,
    )
    answer = await gateway.post(
        f"{USERS}/{admin['id']}/password-reset", headers=idempotent(tokens.county_admin())
    )
    problem(answer, 403, "grant_not_allowed")
    assert (await sign_in(gateway, "county.root", admin["initial_password"])).status_code == 200


async def test_a_county_admin_cannot_take_over_an_account_holding_the_reveal_scope(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    """A county administrator may not grant personal_data:reveal; resetting the password of a
    user who holds it, and reading the new password, would hand it the scope all the same."""
    holder = await create_user_ok(
        gateway,
        tokens.administrator(),
        username="song.jia",
        role="county_approver",
        area_code=COUNTY,
        scopes=["personal_data:reveal"],
        password=PASSWORD,
    )
    answer = await gateway.post(
        f"{USERS}/{holder['id']}/password-reset", headers=idempotent(tokens.county_admin())
    )
    problem(answer, 403, "grant_not_allowed")
    assert (await sign_in(gateway, "song.jia", PASSWORD)).status_code == 200


async def test_an_administrator_may_reset_the_reveal_holders_password(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    holder = await create_user_ok(
        gateway,
        tokens.administrator(),
        username="lu.xin",
        role="county_approver",
        area_code=COUNTY,
        scopes=["personal_data:reveal"],
    )
    answer = await gateway.post(
        f"{USERS}/{holder['id']}/password-reset", headers=idempotent(tokens.administrator())
    )
    assert answer.status_code == 200, answer.text
    signed_in = await sign_in(gateway, "lu.xin", answer.json()["password"])
    assert signed_in.json()["scope"] == "personal_data:reveal"
