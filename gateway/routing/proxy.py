"""The reverse proxy to the services.

Bodies stream in both directions (uploads of county registries and exports of a province are
large); the caller's token and the request id travel with the request, and each service
verifies the token itself. A service that does not answer gives 502 or 504 in problem+json.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import httpx
from fastapi import APIRouter, Request
from starlette.responses import Response

from services.common.errors import DixianError
from services.common.observability import REQUEST_ID_HEADER, current_request_id
from services.common.streaming import ClosingStreamingResponse

SERVICES = ("monitoring", "funds", "employment")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection and are not forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)

router = APIRouter(include_in_schema=False)


class UpstreamUnavailable(DixianError):
    status = 502
    code = "upstream_unavailable"


class UpstreamTimeout(DixianError):
    status = 504
    code = "upstream_timeout"


def make_upstream_clients(
    urls: dict[str, str], *, connect_timeout: float, timeout: float
) -> dict[str, httpx.AsyncClient]:
    """One client per service, created once at startup. `timeout` bounds each read (and
    write), not the whole exchange, so a long streamed export is not cut off midway."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    return {
        name: httpx.AsyncClient(
            base_url=url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=limits,
        )
        for name, url in urls.items()
    }


async def forward(request: Request, service: str, path: str) -> Response:
    """Send the request on to `service` and stream its answer back."""
    client: httpx.AsyncClient = request.app.state.upstreams[service]
    headers = [
        (name, value)
        for name, value in request.headers.items()
        if name.lower() not in HOP_BY_HOP and name.lower() != REQUEST_ID_HEADER.lower()
    ]
    headers.append((REQUEST_ID_HEADER, current_request_id() or ""))
    has_body = "content-length" in request.headers or "transfer-encoding" in request.headers
    upstream_request = client.build_request(
        request.method,
        httpx.URL(path=f"/api/v1/{path}", query=request.url.query.encode()),
        headers=headers,
        content=request.stream() if has_body else None,
    )
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.TimeoutException as exc:
        raise UpstreamTimeout(f"The {service} service did not answer in time.") from exc
    except httpx.TransportError as exc:
        raise UpstreamUnavailable(f"The {service} service is unreachable.") from exc
    response_headers = {
        name: value for name, value in upstream.headers.items() if name.lower() not in HOP_BY_HOP
    }
    return ClosingStreamingResponse(
        _relay(upstream), status_code=upstream.status_code, headers=response_headers
    )


async def _relay(upstream: httpx.Response) -> AsyncIterator[bytes]:
    """The upstream body chunk by chunk, as it arrives. There is no total deadline: a long
    export runs as long as chunks keep coming, each within the read timeout. The upstream
    response is closed however the relay ends (done, failed, or the client went away)."""
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    finally:
        with anyio.CancelScope(shield=True):
            await upstream.aclose()


def _route(service: str) -> None:
    async def to_service(request: Request, path: str) -> Response:
        return await forward(request, service, path)

    to_service.__name__ = f"to_{service}"
    router.add_api_route(f"/{service}/{{path:path}}", to_service, methods=METHODS)


for _service in SERVICES:
    _route(_service)
