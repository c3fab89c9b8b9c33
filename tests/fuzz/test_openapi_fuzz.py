"""Fuzzing every app from its own OpenAPI document (schemathesis), in process, authenticated as a
national administrator holding every scope: whatever it sends, no answer is a 5xx, and every
answer conforms to the operation's documented response schema and content type.

Bounded for CI (a few examples per operation, `FUZZ_EXAMPLES` to raise it). The requests
really write to the test databases, which are emptied afterwards.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

# schemathesis draws its first examples while pytest collects this module, deep in the stack; a
# module hypothesis imports lazily there is then compiled near the recursion limit, which trips a
# CPython 3.11 bug ("AST constructor recursion depth mismatch") on a fresh checkout. Importing it
# here, shallow, and leaving more headroom avoids both.
import hypothesis.strategies._internal.random  # noqa: F401
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from services.common.auth.roles import Role, Scope
from services.common.database import Database
from services.common.settings import CommonSettings
from tests.support.apps import APP_BUILDERS, cleanup_committed
from tests.support.identities import NATION, TokenFactory

sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
HEADERS = TokenFactory().headers(
    Role.ADMINISTRATOR, NATION, scopes=[Scope.PERSONAL_DATA_REVEAL.value, Scope.INTERNAL.value]
)


def fuzzed_app(name: str) -> Any:
    # schemathesis drives the app through its own event loop per call, so the app gets a pool
    # that keeps no connection between calls.
    app = APP_BUILDERS[name]()
    settings_ = CommonSettings()
    engine = create_async_engine(
        settings_.service_database_url(name),
        poolclass=NullPool,
        connect_args={"server_settings": {"role": settings_.database_role}},
    )
    app.state.database = Database(engine)
    return app


@pytest.fixture(scope="module", autouse=True)
async def emptied_afterwards(settings: CommonSettings) -> AsyncIterator[None]:
    yield
    await cleanup_committed(settings)


def _schema(name: str) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzzed_app(name))


gateway = _schema("gateway")
monitoring = _schema("monitoring")
funds = _schema("funds")
employment = _schema("employment")
CONFORMANCE = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.content_type_conformance,
]
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def call(case: Any) -> None:
    headers = {**HEADERS, "Idempotency-Key": str(uuid.uuid4())}
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    case.validate_response(response, checks=CONFORMANCE)


@gateway.parametrize()
@FUZZ
def test_gateway(case: Any) -> None:
    call(case)


@monitoring.parametrize()
@FUZZ
def test_monitoring(case: Any) -> None:
    call(case)


@funds.parametrize()
@FUZZ
def test_funds(case: Any) -> None:
    call(case)


@employment.parametrize()
@FUZZ
def test_employment(case: Any) -> None:
    call(case)
