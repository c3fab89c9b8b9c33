"""Engine, sessions and the per-request unit of work.

A route declared on a `UnitOfWorkRouter` runs inside one transaction: the session is opened
before the endpoint, committed after the endpoint has produced its response and before that
response is handed to the server, and rolled back on any error. So a failed commit reaches the
client as an error, never as a 2xx, and services only ever `flush()`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from services.common import idempotency
from services.common.driver import commit_on_driver, discard_if_broken
from services.common.errors import DixianError


class Database:
    """One app's connection to its own database."""

    def __init__(self, bind: AsyncEngine | AsyncConnection) -> None:
        self.bind = bind
        # A pooled connection's transaction is the request's own, so a request that only used
        # the driver may commit on it (`commit_on_driver`); one joined to a test's transaction
        # commits through SQLAlchemy (a savepoint release).
        self.commits_on_driver = isinstance(bind, AsyncEngine)
        # Bound to a connection (tests), commits become savepoint releases inside the test's
        # outer transaction, which is rolled back at the end.
        if isinstance(bind, AsyncConnection):
            self.sessionmaker = async_sessionmaker(
                bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
        else:
            self.sessionmaker = async_sessionmaker(bind, expire_on_commit=False)

    @classmethod
    def connect(cls, url: URL | str, *, role: str | None, pool_size: int = 10) -> Database:
        """Open a pool; every connection acts as `role` so grants (e.g. on the audit log) hold."""
        server_settings = {"role": role} if role else {}
        engine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            # No pre-ping round trip per request: a connection the server dropped fails once,
            # is invalidated by the pool, and answers 503 (retryable) instead.
            pool_recycle=1800,
            connect_args={"server_settings": server_settings},
        )
        return cls(engine)

    async def dispose(self) -> None:
        """Close the pool (a no-op when bound to a test connection)."""
        if isinstance(self.bind, AsyncEngine):
            await self.bind.dispose()


async def get_session(request: Request) -> AsyncSession:
    """The session of the current unit of work."""
    session = getattr(request.state, "session", None)
    if session is None:
        raise RuntimeError("get_session used on a route outside a UnitOfWorkRouter")
    return session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


class UnitOfWorkRoute(APIRoute):
    """A route whose endpoint runs in one transaction, committed before the response leaves."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or []}
        if "POST" in methods:
            kwargs["dependencies"] = [
                *(kwargs.get("dependencies") or []),
                Depends(idempotency.idempotency_key_header),
            ]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint_handler = super().get_route_handler()

        async def run_in_unit_of_work(request: Request) -> Response:
            await read_limited_body(request, request.app.state.settings.max_body_bytes)
            database: Database = request.app.state.database
            async with database.sessionmaker() as session:
                request.state.session = session
                try:
                    claim = await idempotency.claim(request, session)
                    if claim.replay is not None:
                        return claim.replay
                    response = await endpoint_handler(request)
                    if response.status_code >= 400:
                        await session.rollback()
                        return response
                    await claim.store(session, request.app.state.keyring, response)
                    if not (database.commits_on_driver and await commit_on_driver(session)):
                        await session.commit()
                except BaseException as error:
                    await discard_if_broken(session, error)
                    await session.rollback()
                    raise
                return response

        return run_in_unit_of_work


class BodyTooLarge(DixianError):
    status = 413
    code = "body_too_large"


async def read_limited_body(request: Request, limit: int) -> None:
    """Read the body once, refusing it past `limit` bytes (bulk uploads use streaming routes
    instead); later `request.body()` calls get the cached bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"The request body is larger than {limit} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"The request body is larger than {limit} bytes.")
        chunks.append(chunk)
    request._body = b"".join(chunks)


class UnitOfWorkRouter(APIRouter):
    """An APIRouter whose routes are `UnitOfWorkRoute`s."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(route_class=UnitOfWorkRoute, **kwargs)
