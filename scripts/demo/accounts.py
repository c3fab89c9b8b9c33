"""The people and machines the workflows need, created through the gateway's admin API: per
county an administrator and an approver, per township a reviewer and a village officer, and a
department feed for the province. Passwords are derived from the administrator's password and
the seed, so a re-run signs in again; a password that no longer works is reset."""

from __future__ import annotations

import base64
import hashlib
import hmac

from scripts.demo.api import Identity
from scripts.demo.context import Demo

COUNTY_ROLES = (("county_admin", "县级管理员"), ("county_approver", "县级审批人"))
TOWNSHIP_ROLES = (("township_reviewer", "乡镇审核员"), ("village_officer", "村级信息员"))
FEED_ROLE = "department_feed"


def username(role: str, area: str) -> str:
    return f"demo.{area}.{role}"


def feed_client_id(province: str) -> str:
    return f"demo-{province[:2]}-department-feed"


def derived_password(demo: Demo, name: str) -> str:
    secret = demo.options.admin_password.encode()
    digest = hmac.new(secret, f"{demo.seed}:{name}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:24]


def wanted_users(demo: Demo) -> list[tuple[str, str, str, str]]:
    """(username, role, area code, display name) of every demo account."""
    wanted = []
    for county in demo.counties:
        for role, title in COUNTY_ROLES:
            wanted.append((username(role, county.code[:6]), role, county.code, county.name + title))
        for township in county.townships:
            for role, title in TOWNSHIP_ROLES:
                wanted.append(
                    (username(role, township.code[:9]), role, township.code, township.name + title)
                )
    return wanted


async def create_accounts(demo: Demo) -> None:
    api, admin = demo.api, demo.admin
    existing = {user["username"]: user["id"] for user in await api.all(admin, "/api/v1/users")}
    wanted = wanted_users(demo)
    bar = demo.progress("accounts 账号", len(wanted) + 1)
    for name, role, area, display in wanted:
        identity = Identity(name, derived_password(demo, name))
        if name not in existing:
            body = {
                "username": name,
                "display_name": display,
                "role": role,
                "area_code": area,
                "password": identity.secret,
            }
            await api.call(admin, "POST", "/api/v1/users", json_body=body, purpose="user")
        elif not await api.can_sign_in(identity):
            answer = await api.call(
                admin, "POST", f"/api/v1/users/{existing[name]}/password-reset", purpose="reset"
            )
            identity = Identity(name, answer.json()["password"])
        length = 6 if role.startswith("county") else 9
        demo.accounts[(role, area[:length])] = identity
        bar.advance()
    demo.accounts[(FEED_ROLE, demo.options.province[:2])] = await _feed_client(demo)
    bar.advance()
    bar.finish()
    demo.report["users"] = len(wanted)
    demo.report["machine_clients"] = 1


async def _feed_client(demo: Demo) -> Identity:
    """The department feed's client; its secret cannot be derived, so an existing client gets
    a new one (the rotation replays within a day: the same secret comes back)."""
    api, admin, province = demo.api, demo.admin, demo.options.province
    client_id = feed_client_id(province)
    existing = {row["client_id"]: row["id"] for row in await api.all(admin, "/api/v1/clients")}
    if client_id in existing:
        answer = await api.call(
            admin, "POST", f"/api/v1/clients/{existing[client_id]}/secret", purpose="secret"
        )
    else:
        body = {
            "client_id": client_id,
            "name": "演示行业部门数据 (demo department feed)",
            "role": FEED_ROLE,
            "area_code": province,
        }
        answer = await api.call(admin, "POST", "/api/v1/clients", json_body=body, purpose="client")
    return Identity(client_id, answer.json()["client_secret"], machine=True)
