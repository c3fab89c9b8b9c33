"""The authorization matrix (权限矩阵): every operation of every app's OpenAPI document, called
by every role, at home and from another area.

- without a token: 401 (unless declared public);
- a role the route does not let through (or lacking the route's scope): 403;
- an allowed role at home reading a record of its area: 200 (so the ids below are real);
- an allowed role from another area: 404 (or 403) on any path naming a record or an area, and
  lists that do not show the home records;
- none of the refused or out-of-scope calls writes anything: the change feed and the audit log
  (its write actions) of every database keep their counts.

Writes by an allowed role at home are not sent (each domain's own tests cover them), nor
collection writes from another area (their area is in the body; the domain tests cover
`area_out_of_scope`).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from services.common.areas import is_within
from services.common.auth.roles import Role
from tests.authorization.operations import Operation, declared, operations
from tests.authorization.principals import HOME, abroad, home
from tests.authorization.requests import Call, call_for, use_components
from tests.authorization.world import VALUES, World, build_world
from tests.support.apps import APP_BUILDERS
from tests.support.identities import TokenFactory

# Reads whose records belong to no area below the caller (published reference data): another
# area's principal may read them.
NOT_AREA_BOUND = {
    "monitoring GET /api/v1/code-lists/{list_name}": "code lists",
    "monitoring GET /api/v1/monitoring-lines/{province_code}": "monitoring lines are published",
    "monitoring GET /api/v1/warning-rules/{rule_id}": "national warning rules",
    "funds GET /api/v1/fund-rules/{province_code}": "provincial fund rules are published",
    "funds GET /api/v1/fund-rules/{province_code}/{year}": "provincial fund rules are published",
}
# Answers other than 200 that an allowed role gets at home, by design.
AT_HOME: dict[tuple[str, Role], int] = {}
# Audit actions of reads (an export is a read); every other action is a write.
READ_ACTIONS = ("read", "list", "export")


async def send(client: httpx.AsyncClient, call: Call) -> httpx.Response:
    return await client.request(
        call.method,
        call.url,
        params=call.params,
        headers=call.headers,
        json=call.json,
        content=call.content,
    )


async def write_counts(apps: dict[str, FastAPI]) -> dict[str, tuple[int, int]]:
    """Rows of the change feed and write actions of the audit log, per database."""
    counts = {}
    for name, app in apps.items():
        async with app.state.database.sessionmaker() as session:
            fed = await session.scalar(text("SELECT count(*) FROM changes"))
            audited = await session.scalar(
                text("SELECT count(*) FROM audit_log WHERE action <> ALL(:reads)"),
                {"reads": list(READ_ACTIONS)},
            )
            counts[name] = (int(fed or 0), int(audited or 0))
    return counts


def bound_to_area(operation: Operation, world: World) -> bool:
    """True when the path names a record or an area of the world."""
    area_params = {"province_code", "county_code", "code"}
    return not declared(NOT_AREA_BOUND, operation.app, operation.method, operation.path) and any(
        name in world.ids or name in area_params or name == "warning_id"
        for name in operation.path_params
    )


def shows_home_records(answer: httpx.Response, world: World) -> list[str]:
    body = answer.text
    return [name for name, value in world.ids.items() if value in body and name != "rule_id"]


@pytest.fixture
async def world(apps: dict[str, FastAPI], tokens: TokenFactory) -> World:
    return await build_world(apps, tokens)


@pytest.mark.parametrize("app_name", list(APP_BUILDERS))
async def test_every_operation_declares_who_may_call_it(app_name: str) -> None:
    _, undeclared = operations(app_name, APP_BUILDERS[app_name]())
    assert not undeclared, "\n".join(undeclared)


@pytest.mark.parametrize("app_name", list(APP_BUILDERS))
async def test_authorization_matrix(
    app_name: str, apps: dict[str, FastAPI], tokens: TokenFactory, world: World
) -> None:
    app = apps[app_name]
    use_components(app_name, app.openapi())
    found, _ = operations(app_name, app)
    failures: list[str] = []
    before = await write_counts(apps)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://matrix.test") as client:
        for operation in found:
            failures += await _refusals(client, operation, world, tokens)
        after = await write_counts(apps)
        if after != before:
            failures.append(f"refused or out-of-scope calls wrote: {before} -> {after}")
        for operation in found:
            failures += await _home_reads(client, operation, world, tokens)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


async def _refusals(
    client: httpx.AsyncClient, operation: Operation, world: World, tokens: TokenFactory
) -> list[str]:
    failures: list[str] = []
    if operation.public:
        return failures
    anonymous = await send(client, call_for(operation, world, {}))
    if anonymous.status_code != 401:
        failures.append(_report(operation, "no token", 401, anonymous))
    for role in Role:
        at_home = call_for(operation, world, home(tokens, role))
        from_abroad = call_for(operation, world, abroad(tokens, role))
        if not operation.may(role):
            for where, call in (("home", at_home), ("abroad", from_abroad)):
                answer = await send(client, call)
                if answer.status_code != 403:
                    failures.append(
                        _report(operation, f"{role} {where} (not allowed)", 403, answer)
                    )
            continue
        if bound_to_area(operation, world):
            answer = await send(client, from_abroad)
            if answer.status_code not in (403, 404):
                failures.append(_report(operation, f"{role} abroad", "404/403", answer))
        elif operation.reads:
            answer = await send(client, from_abroad)
            leaked = shows_home_records(answer, world) if answer.status_code == 200 else []
            if leaked:
                failures.append(f"{operation.key}: {role} abroad sees home records {leaked}")
            elif answer.status_code >= 500:
                failures.append(_report(operation, f"{role} abroad", "< 500", answer))
    return failures


async def _home_reads(
    client: httpx.AsyncClient, operation: Operation, world: World, tokens: TokenFactory
) -> list[str]:
    if not operation.reads or operation.public:
        return []
    failures = []
    for role in Role:
        if operation.may(role):
            expected = AT_HOME.get((operation.key, role), 200)
            call = call_for(operation, world, home(tokens, role))
            if not _covers_records(operation, call, world, HOME[role]):
                expected = 404
            answer = await send(client, call)
            if answer.status_code != expected:
                failures.append(_report(operation, f"{role} home", expected, answer))
    return failures


def _covers_records(operation: Operation, call: Call, world: World, area: str) -> bool:
    """False when the request names a record or an area above the principal's own (e.g. a
    county's allocation for a village officer): that is out of its scope too."""
    named = [world.area_of(name) for name in operation.path_params if name in world.ids]
    if "code" in operation.path_params:
        named.append(VALUES["code"])
    if "area" in call.params:
        named.append(call.params["area"])
    return all(is_within(code, area) for code in named)


def _report(operation: Operation, who: str, expected: Any, answer: httpx.Response) -> str:
    try:
        detail = json.dumps(answer.json(), ensure_ascii=False)[:200]
    except ValueError:
        detail = answer.text[:200]
    return f"{operation.key}: {who} expected {expected}, got {answer.status_code} {detail}"
