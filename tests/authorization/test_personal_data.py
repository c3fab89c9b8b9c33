"""Personal data (个人信息): no full ID number, phone number or diagnosis reaches a response to a
role without `personal_data:reveal`, nor any log line; every read of a person's record leaves an
audit row.

The world holds households, members, a help plan, a warning and a lead (with diagnoses in their
details), a labourer, a subsidy and a loan, with known numbers. Every GET operation of every
app (from the OpenAPI documents) is called by every role at home; searches taking a
`person_number` get the full number. The responses, those of the set-up itself, and every log
record (formatted as the apps' JSON lines, at DEBUG) are scanned for the full values.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from services.common.auth.roles import Role, Scope
from services.common.observability import QUIET_LOGGERS, JsonFormatter, configure_logging
from tests.authorization.operations import Operation, operations
from tests.authorization.principals import home
from tests.authorization.requests import call_for, use_components
from tests.authorization.test_matrix import send
from tests.authorization.world import World, build_world, recording_client
from tests.support.apps import APP_BUILDERS
from tests.support.identities import TokenFactory

# Query parameters that search by a personal value: sent in full, answered masked.
SEARCHES = {"person_number": 0}
# Response properties that carry a person's data: an operation answering them for one record
# is a read of a person's record.
PERSONAL_PROPERTIES = {"person_number", "phone", "helper_phone_masked", "borrower"}


class LogLines(logging.Handler):
    """Every log record of the test, formatted as the apps write them."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # The test's own clients log their requests (with the searched number) as well; those
        # lines are the caller's, not the apps'.
        if record.name.startswith("httpx") and ".test" in record.getMessage():
            return
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    """Logging set up as the apps set it up at start (at DEBUG), plus the capturing handler."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    configure_logging("DEBUG", json_lines=True)
    handler = LogLines()
    root.addHandler(handler)
    yield handler
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, previous in quiet.items():
        logging.getLogger(name).setLevel(previous)


def leaks(world: World, texts: list[tuple[str, str]]) -> list[str]:
    return [
        f"{where}: {secret}" for where, body in texts for secret in world.secrets if secret in body
    ]


async def test_no_personal_data_in_responses_or_logs(
    apps: dict[str, FastAPI], tokens: TokenFactory, log_lines: LogLines
) -> None:
    world = await build_world(apps, tokens)
    for name in APP_BUILDERS:
        use_components(name, apps[name].openapi())
        found, _ = operations(name, apps[name])
        async with recording_client(apps, name, world) as client:
            for operation in found:
                if operation.reads and not operation.public:
                    await _read_as_every_role(client, operation, world, tokens)
    async with recording_client(apps, "gateway", world) as client:
        # Through the gateway's routing too: its own request to the service is logged.
        answer = await client.get(
            "/api/v1/monitoring/households",
            params={"person_number": world.person_numbers[0]},
            headers=home(tokens, Role.COUNTY_ADMIN),
        )
        assert answer.status_code == 200 and answer.json()["items"], answer.text
    texts = [(f"{r.request.method} {r.request.url.path}", r.text) for r in world.responses]
    texts += [("log", line) for line in log_lines.lines]
    assert len(world.responses) > 100, "the scan read too little to mean anything"
    assert any('"logger": "dixian.access"' in line for line in log_lines.lines)
    assert not leaks(world, texts), "\n".join(leaks(world, texts))


async def _read_as_every_role(
    client: httpx.AsyncClient, operation: Operation, world: World, tokens: TokenFactory
) -> None:
    for role in Role:
        call = call_for(operation, world, home(tokens, role))
        for name in operation.query:
            if name in SEARCHES:
                call.params[name] = world.person_numbers[SEARCHES[name]]
        await send(client, call)


async def test_the_scan_sees_a_revealed_number(
    apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    """The scan above would catch a full number: with the reveal scope, it is there."""
    world = await build_world(apps, tokens)
    revealer = home(tokens, Role.COUNTY_ADMIN, scopes=[Scope.PERSONAL_DATA_REVEAL.value])
    async with recording_client(apps, "monitoring", world) as client:
        answer = await client.get(
            f"/api/v1/members/{world.ids['member_id']}/person-number", headers=revealer
        )
    assert answer.status_code == 200, answer.text
    assert leaks(world, [("reveal", answer.text)]) == [f"reveal: {world.person_numbers[0]}"]


def person_record_reads(name: str, app: FastAPI, world: World) -> list[Operation]:
    """GET operations naming one record whose answer carries a person's data."""
    document = app.openapi()
    found, _ = operations(name, app)
    return [
        operation
        for operation in found
        if operation.reads
        and any(param in world.ids for param in operation.path_params)
        and PERSONAL_PROPERTIES & _properties(document, operation)
    ]


def _properties(document: dict[str, Any], operation: Operation) -> set[str]:
    spec = document["paths"][operation.path]["get"]["responses"].get("200", {})
    schemas = document.get("components", {}).get("schemas", {})
    names: set[str] = set()
    pending: list[Any] = [spec]
    seen: set[str] = set()
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                pending.append(schemas[ref.rsplit("/", 1)[-1]])
            names.update(node.get("properties", {}))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return names


async def test_every_read_of_a_persons_record_is_audited(
    apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    world = await build_world(apps, tokens)
    reader = home(tokens, Role.COUNTY_ADMIN, scopes=[Scope.PERSONAL_DATA_REVEAL.value])
    checked, missing = [], []
    for name in APP_BUILDERS:
        use_components(name, apps[name].openapi())
        async with recording_client(apps, name, world) as client:
            for operation in person_record_reads(name, apps[name], world):
                answer = await send(client, call_for(operation, world, reader))
                assert answer.status_code == 200, (operation.key, answer.text)
                checked.append(operation.key)
                if not await _audited(apps[name], answer.headers["X-Request-ID"]):
                    missing.append(operation.key)
    assert {
        "monitoring GET /api/v1/households/{household_id}",
        "monitoring GET /api/v1/households/{household_id}/member-moves",
        "monitoring GET /api/v1/members/{member_id}",
        "monitoring GET /api/v1/members/{member_id}/person-number",
        "monitoring GET /api/v1/people/by-index/{index}",
    } <= set(checked), checked
    assert not missing, f"reads of a person's record without an audit row: {missing}"


async def _audited(app: FastAPI, request_id: str) -> bool:
    async with app.state.database.sessionmaker() as session:
        rows = await session.scalar(
            text("SELECT count(*) FROM audit_log WHERE request_id = :id"), {"id": request_id}
        )
    return bool(rows)
