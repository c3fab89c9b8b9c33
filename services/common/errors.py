"""One error shape for every app: RFC 9457 problem+json with a stable machine `code`.

Domain rules raise subclasses of `DixianError`; the handlers installed by `install_error_handlers`
render them, FastAPI's validation errors, Starlette's HTTP errors and unexpected exceptions in the
same shape, so a client parses one thing whatever went wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common.areas import InvalidAreaCode

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("dixian.errors")


class FieldProblem(BaseModel):
    """One field that broke one rule."""

    field: str
    rule: str
    message: str


class Problem(BaseModel):
    """The body of every error response (RFC 9457 plus `code`, `fields` and `request_id`)."""

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str
    instance: str | None = None
    request_id: str | None = None
    fields: list[FieldProblem] | None = None


class DixianError(Exception):
    """Base of every error the apps raise on purpose."""

    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: Sequence[FieldProblem] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.fields = list(fields) if fields else None
        self.extra = extra or {}
        self.headers = headers or {}


class NotFound(DixianError):
    """Missing, or outside the caller's area: the two answer alike on purpose."""

    status = 404
    code = "not_found"


class Unauthorized(DixianError):
    status = 401
    code = "unauthorized"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail, code=code, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(DixianError):
    status = 403
    code = "forbidden"


class Conflict(DixianError):
    status = 409
    code = "conflict"


class InvalidInput(DixianError):
    """Input that parsed but breaks a rule about one or more fields."""

    status = 422
    code = "validation_failed"

    @classmethod
    def for_field(cls, field: str, rule: str, message: str) -> InvalidInput:
        """The common case of a single field breaking a single rule."""
        return cls(message, fields=[FieldProblem(field=field, rule=rule, message=message)])


class PreconditionFailed(DixianError):
    status = 412
    code = "version_mismatch"


class PreconditionRequired(DixianError):
    status = 428
    code = "precondition_required"


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    detail: str,
    fields: Sequence[FieldProblem] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Render one problem+json response; the single place the error shape is written."""
    problem = Problem(
        title=_title(status),
        status=status,
        code=code,
        detail=detail,
        instance=request.url.path,
        request_id=getattr(request.state, "request_id", None),
        fields=list(fields) if fields else None,
    )
    body = problem.model_dump(exclude_none=True)
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _location(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


def validation_fields(errors: Sequence[Any]) -> list[FieldProblem]:
    """FastAPI/pydantic error dicts turned into named fields and rules."""
    problems = []
    for error in errors:
        problems.append(
            FieldProblem(
                field=_location(error.get("loc", ())),
                rule=str(error.get("type", "invalid")),
                message=str(error.get("msg", "invalid value")),
            )
        )
    return problems


async def _dixian_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DixianError)
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        detail=exc.detail,
        fields=exc.fields,
        extra=exc.extra,
        headers=exc.headers,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = validation_fields(exc.errors())
    names = ", ".join(field.field for field in fields)
    return problem_response(
        request,
        status=422,
        code="validation_failed",
        detail=f"The request is not valid: {names}",
        fields=fields,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}
    return problem_response(
        request,
        status=exc.status_code,
        code=codes.get(exc.status_code, f"http_{exc.status_code}"),
        detail=str(exc.detail),
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # Rules are checked before writing; what still trips a constraint lost a race with a
    # concurrent write, which the client may retry.
    logger.info("write conflicted with a constraint: %s", getattr(exc, "orig", exc))
    return _write_conflict(request)


def _write_conflict(request: Request) -> JSONResponse:
    return problem_response(
        request,
        status=409,
        code="write_conflict",
        detail="The write conflicts with data written at the same time; retry the request.",
    )


# SQLSTATEs that mean the client's text cannot be stored (a NUL character, an invalid byte):
# bad input that slipped past validation, answered as such rather than as a 500.
UNSTORABLE_TEXT = {"22021", "22P05"}
# SQLSTATEs of a transaction PostgreSQL aborted to break a lock cycle (40P01 deadlock detected)
# or a serialization conflict (40001): it wrote nothing, and the same request again succeeds, so
# it is a write that lost a race (409 `write_conflict`), not a bug.
LOST_RACE = {"40P01", "40001"}
# SQLSTATEs of a server that is going away or not back yet: class 08 (connection exception),
# 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up or shutting
# down). A restart of the database answers 503 (retryable), not 500.
SERVER_GOING_AWAY = {"57P01", "57P02", "57P03"}


def server_unavailable(error: BaseException | None) -> bool:
    """Whether a driver error says the database server is gone or not back yet."""
    sqlstate = str(getattr(error, "sqlstate", None) or "")
    if sqlstate.startswith("08") or sqlstate in SERVER_GOING_AWAY:
        return True
    # Raised by asyncpg itself on a connection the server dropped (bulk paths use it directly).
    return isinstance(error, asyncpg.ConnectionDoesNotExistError) or (
        isinstance(error, asyncpg.InterfaceError) and "connection is closed" in str(error)
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if getattr(exc.orig, "sqlstate", None) in UNSTORABLE_TEXT:
        return problem_response(
            request,
            status=422,
            code="validation_failed",
            detail="The request contains characters that cannot be stored (such as NUL).",
            fields=[
                FieldProblem(
                    field="body",
                    rule="unsupported_character",
                    message="NUL and invalid bytes are refused",
                )
            ],
        )
    if getattr(exc.orig, "sqlstate", None) in LOST_RACE:
        logger.warning("transaction aborted by the database: %s", exc.orig)
        return _write_conflict(request)
    if (
        isinstance(exc, InterfaceError)
        or exc.connection_invalidated
        or server_unavailable(exc.orig)
    ):
        return await _database_unavailable(request, exc)
    return await _unexpected_error(request, exc)


async def _driver_error(request: Request, exc: Exception) -> JSONResponse:
    """asyncpg's own errors, from the bulk paths that use its connection directly."""
    if getattr(exc, "sqlstate", None) in LOST_RACE:
        logger.warning("transaction aborted by the database: %s", exc)
        return _write_conflict(request)
    if server_unavailable(exc):
        return await _database_unavailable(request, exc)
    return await _unexpected_error(request, exc)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.error("database unavailable: %s", exc)
    return problem_response(
        request,
        status=503,
        code="database_unavailable",
        detail="The database is not reachable right now; retry later.",
        headers={"Retry-After": "5"},
    )


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    # Every connection of the pool stayed busy for the pool's whole timeout: overload, which
    # passes; the client retries later, like any other 503.
    logger.error("database pool exhausted: %s", exc)
    return problem_response(
        request,
        status=503,
        code="database_busy",
        detail="The service is overloaded right now; retry later.",
        headers={"Retry-After": "5"},
    )


async def _invalid_area_code(request: Request, exc: Exception) -> JSONResponse:
    # A safety net: area codes are validated at the edge (services.common.fields.AreaCode);
    # one that slips through into area arithmetic is still the client's bad input, not a 500.
    assert isinstance(exc, InvalidAreaCode)
    return problem_response(
        request,
        status=422,
        code="validation_failed",
        detail=exc.message,
        fields=[FieldProblem(field="area_code", rule=f"code_{exc.rule}", message=exc.message)],
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", exc_info=exc)
    return problem_response(
        request, status=500, code="internal_error", detail="An unexpected error occurred."
    )


def install_error_handlers(app: FastAPI) -> None:
    """Route every error of `app` through the problem+json renderer."""
    app.add_exception_handler(DixianError, _dixian_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(InvalidAreaCode, _invalid_area_code)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_busy)
    app.add_exception_handler(asyncpg.PostgresError, _driver_error)
    app.add_exception_handler(asyncpg.InterfaceError, _driver_error)
    app.add_exception_handler(OSError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)
