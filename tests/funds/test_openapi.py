"""The funds OpenAPI document: every operation summarised, every POST asking for an
Idempotency-Key, amounts described as strings."""

from __future__ import annotations

from collections.abc import Callable

from httpx import AsyncClient


async def test_the_openapi_document(client_for: Callable[[str], AsyncClient]) -> None:
    async with client_for("funds") as client:
        answer = await client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    spec = answer.json()
    operations = [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) >= 25
    for method, path, operation in operations:
        assert operation.get("summary"), (method, path)
        if method == "post":
            headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
            assert "Idempotency-Key" in headers, path
    payment = spec["components"]["schemas"]["PaymentCreate"]["properties"]["amount"]
    assert payment["type"] == "string"
