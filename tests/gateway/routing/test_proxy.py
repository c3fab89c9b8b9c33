"""Routing: `/api/v1/<service>/...` reaches the service with the caller's token and request id,
streams bodies both ways, and answers 502/504 in problem+json when the service does not."""

from __future__ import annotations

import hashlib

import httpx
from fastapi import FastAPI
from httpx import AsyncClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from tests.support.identities import TokenFactory

BIG = 5 * 1024 * 1024


async def receive_upload(request: Request) -> JSONResponse:
    """An HTTP peer that reports what reached it, chunk by chunk."""
    digest, size, chunks = hashlib.sha256(), 0, 0
    async for chunk in request.stream():
        digest.update(chunk)
        size += len(chunk)
        chunks += 1
    return JSONResponse(
        {
            "size": size,
            "sha256": digest.hexdigest(),
            "authorization": request.headers.get("authorization"),
            "request_id": request.headers.get("x-request-id"),
            "path": request.url.path,
            "query": request.url.query,
        }
    )


async def send_download(request: Request) -> StreamingResponse:
    async def body():  # type: ignore[no-untyped-def]
        for _ in range(BIG // 65536):
            yield b"x" * 65536

    return StreamingResponse(body(), media_type="application/x-ndjson")


PEER = Starlette(
    routes=[
        Route("/api/v1/upload", receive_upload, methods=["POST"]),
        Route("/api/v1/export", send_download),
    ]
)


async def test_bodies_stream_both_ways_with_token_and_request_id(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    apps["gateway"].state.upstreams["funds"] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=PEER), base_url="http://funds"
    )
    payload = bytes(range(256)) * (BIG // 256)
    headers = {**tokens.county_admin(), "X-Request-ID": "upload-9"}
    answer = await gateway.post(
        "/api/v1/funds/upload?batch=3&kind=csv", content=payload, headers=headers
    )
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert seen["size"] == BIG and seen["sha256"] == hashlib.sha256(payload).hexdigest()
    assert seen["authorization"] == headers["Authorization"]
    assert seen["request_id"] == "upload-9"
    assert seen["path"] == "/api/v1/upload" and seen["query"] == "batch=3&kind=csv"

    size = 0
    async with gateway.stream("GET", "/api/v1/funds/export", headers=headers) as download:
        assert download.status_code == 200
        assert download.headers["content-type"] == "application/x-ndjson"
        async for chunk in download.aiter_bytes():
            size += len(chunk)
    assert size == BIG


async def test_a_service_that_is_down_answers_502(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    apps["gateway"].state.upstreams["employment"] = httpx.AsyncClient(base_url="http://127.0.0.1:9")
    answer = await gateway.get("/api/v1/employment/changes", headers=tokens.county_admin())
    assert answer.status_code == 502
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "upstream_unavailable"


async def test_service_errors_pass_through_unchanged(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    unauthenticated = await gateway.get("/api/v1/monitoring/changes")
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["code"] == "token_missing"
    missing = await gateway.get("/api/v1/monitoring/no-such-thing", headers=tokens.county_admin())
    assert missing.status_code == 404
    assert missing.json()["instance"] == "/api/v1/no-such-thing"
