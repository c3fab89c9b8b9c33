"""Request ids, JSON logs, Prometheus metrics.

Every request gets an id (the caller's `X-Request-ID` if it sent a sane one, a new one
otherwise), echoed in the response, put on every log line and passed on to other services.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode("latin-1")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")

REQUESTS = Counter(
    "dixian_http_requests_total", "HTTP requests served", ["app", "method", "route", "status"]
)
LATENCY = Histogram(
    "dixian_http_request_duration_seconds",
    "HTTP request duration",
    ["app", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
access_logger = logging.getLogger("dixian.access")
QUIET_LOGGERS = ("httpx", "httpcore")


def current_request_id() -> str | None:
    """The id of the request being served in this task, if any."""
    return _request_id.get()


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request context."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for name in ("app", "principal", "role", "area", "method", "path", "status", "ms"):
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, *, json_lines: bool) -> None:
    """Route all logging to stdout, as JSON lines unless told otherwise."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True
    # httpx logs every outgoing request's full URL at INFO, query string included (e.g. a
    # household search by ID number passed on by the gateway); the access log records each
    # request without its query instead.
    for chatty in QUIET_LOGGERS:
        logging.getLogger(chatty).setLevel(logging.WARNING)


class RequestContextMiddleware:
    """Request id in and out, one access log line and metrics per request (streaming safe)."""

    def __init__(self, app: ASGIApp, *, app_name: str) -> None:
        self.app = app
        self.app_name = app_name
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, _REQUEST_ID_KEY)
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        echoed = (_REQUEST_ID_KEY, request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    header
                    for header in message.get("headers") or ()
                    if header[0].lower() != _REQUEST_ID_KEY
                ]
                headers.append(echoed)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._observe(scope, request_id, status, time.perf_counter() - started)
            _request_id.reset(token)

    def _observe(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope["method"]
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            # Looking a labelled child up costs a lock and a tuple per request; the children
            # of a (method, route, status) never change, so they are kept.
            series = self._series[key] = (
                REQUESTS.labels(self.app_name, method, route, str(status)),
                LATENCY.labels(self.app_name, method, route),
            )
        series[0].inc()
        series[1].observe(seconds)
        if not access_logger.isEnabledFor(logging.INFO):
            return
        principal = scope.get("state", {}).get("principal")
        access_logger.info(
            "%s %s %s",
            method,
            scope["path"],
            status,
            extra={
                "app": self.app_name,
                "request_id": request_id,
                "method": method,
                "path": scope["path"],
                "status": status,
                "ms": round(seconds * 1000, 2),
                "principal": getattr(principal, "subject", None),
                "role": getattr(getattr(principal, "role", None), "value", None),
                "area": getattr(principal, "area", None),
            },
        )


def _header(scope: Scope, name: bytes) -> str:
    """The first value of a request header (`name` in lower case, as ASGI servers send them),
    or ""; without building a `Request` and its header list."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""


async def metrics_endpoint(_request: Request) -> Response:
    """Prometheus exposition of this process's metrics."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
