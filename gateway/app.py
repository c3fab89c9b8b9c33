"""The gateway app: `uvicorn gateway.app:app` (port 8000 by default)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gateway.areas.endpoints import router as areas_router
from gateway.auth.endpoints import router as auth_router
from gateway.auth.issuer import TokenIssuer
from gateway.clients.endpoints import router as clients_router
from gateway.indicators.endpoints import router as indicators_router
from gateway.indicators.service_token import ServiceToken
from gateway.routing.proxy import make_upstream_clients
from gateway.routing.proxy import router as proxy_router
from gateway.routing.rate_limits import RateLimiter, rate_limited
from gateway.settings import GatewaySettings
from gateway.users.endpoints import router as users_router
from services.common.app import create_app
from services.common.changes import changes_router

DESCRIPTION = (
    "The single entry point of Dixian (底线). Issues tokens (令牌) for people and machine "
    "clients, keeps the area registry (区划), and routes each service's API under "
    "`/api/v1/<service>/...`: monitoring (监测帮扶), funds (衔接资金), employment (就业与小额信贷)."
)


def build_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        for client in app.state.upstreams.values():
            await client.aclose()

    app = create_app(
        name="gateway",
        title="Dixian gateway (网关)",
        description=DESCRIPTION,
        settings=settings,
        routers=[
            rate_limited(
                [
                    auth_router,
                    users_router,
                    clients_router,
                    areas_router,
                    indicators_router,
                    changes_router(),
                    proxy_router,
                ]
            )
        ],
        lifespan=lifespan,
    )
    app.state.token_issuer = TokenIssuer(settings)
    app.state.service_token = ServiceToken(app.state.token_issuer)
    app.state.rate_limiter = RateLimiter(settings)
    app.state.upstreams = make_upstream_clients(
        settings.service_urls(),
        connect_timeout=settings.upstream_connect_timeout,
        timeout=settings.upstream_timeout,
    )
    return app


app = build_app()
