"""Request ids in and out and across services, JSON logs, Prometheus metrics."""

from __future__ import annotations

import json

import pytest
from httpx import AsyncClient

from services.common.observability import JsonFormatter
from tests.support.identities import TokenFactory


async def test_request_id_is_echoed_or_made(gateway: AsyncClient) -> None:
    given = await gateway.get("/healthz", headers={"X-Request-ID": "field-app-42"})
    assert given.headers["x-request-id"] == "field-app-42"
    made = await gateway.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    insane = await gateway.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert insane.headers["x-request-id"] != "bad id with spaces"


async def test_request_id_travels_to_the_service_and_into_its_logs(
    gateway: AsyncClient, tokens: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="dixian.access")
    answer = await gateway.get(
        "/api/v1/funds/changes", headers={**tokens.county_admin(), "X-Request-ID": "trace-me-7"}
    )
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == "trace-me-7"
    lines = {
        getattr(record, "app", None): json.loads(JsonFormatter().format(record))
        for record in caplog.records
        if record.name == "dixian.access"
    }
    assert lines["gateway"]["request_id"] == lines["funds"]["request_id"] == "trace-me-7"
    entry = lines["funds"]
    assert entry["principal"].startswith("user:") and entry["role"] == "county_admin"
    assert entry["area"] == "411424000000" and entry["status"] == 200


async def test_metrics_are_exposed(gateway: AsyncClient) -> None:
    await gateway.get("/healthz")
    metrics = await gateway.get("/metrics")
    assert metrics.status_code == 200
    assert (
        'dixian_http_requests_total{app="gateway",method="GET",route="/healthz",status="200"}'
        in metrics.text
    )
