"""The literal-prefix check in front of included routers changes no routing decision."""

from __future__ import annotations

import re

from fastapi import FastAPI
from starlette.routing import Match

from gateway.app import build_app as gateway_app
from services.common.app import API_PREFIX, create_app
from services.common.database import UnitOfWorkRouter
from services.common.routing_index import _literal_prefix
from services.common.settings import CommonSettings
from services.employment.app import build_app as employment_app
from services.funds.app import build_app as funds_app
from services.monitoring.app import build_app as monitoring_app


def scope(method: str, path: str) -> dict[str, object]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}


def decisions(app: FastAPI, method: str, path: str, *, checked: bool) -> list[Match]:
    """What each top-level route answers, with the prefix check or without it."""
    answers = []
    for route in app.router.routes:
        matches = route.matches if checked else type(route).matches.__get__(route)
        answers.append(matches(scope(method, path))[0])
    return answers


def probe_paths(app: FastAPI) -> list[tuple[str, str]]:
    probes = [("GET", "/"), ("GET", "/api/v1"), ("GET", "/api/v1/nothing"), ("GET", "/healthz")]
    for route in app.routes:
        path = getattr(route, "path", None)
        if not isinstance(path, str):
            continue
        concrete = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000001", path)
        for method in ("GET", "POST", "PATCH", "DELETE"):
            probes += [(method, concrete), (method, concrete + "/"), (method, concrete + "x")]
    return probes


def test_every_app_routes_as_without_the_check() -> None:
    for build in (funds_app, monitoring_app, employment_app, gateway_app):
        app = build()
        checked = [route for route in app.router.routes if "matches" in vars(route)]
        assert checked, build
        for method, path in probe_paths(app):
            assert decisions(app, method, path, checked=True) == decisions(
                app, method, path, checked=False
            ), (method, path)


def test_a_route_added_later_is_still_found(settings: CommonSettings) -> None:
    router = UnitOfWorkRouter(prefix="/late")

    @router.get("/first")
    async def first() -> dict[str, str]:
        return {}

    app = create_app(
        name="funds", title="late", description="", settings=settings, routers=[router]
    )
    included = [route for route in app.router.routes if "matches" in vars(route)][-1]
    assert _literal_prefix(included) == f"{API_PREFIX}/late/first"

    @router.get("/second")
    async def second() -> dict[str, str]:
        return {}

    matches = [
        route.matches(scope("GET", f"{API_PREFIX}/late/second"))[0] for route in app.router.routes
    ]
    assert Match.FULL in matches


def test_role_gated_operations_still_document_the_bearer_scheme() -> None:
    spec = funds_app().openapi()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for method, path in (("post", "/api/v1/payments"), ("get", "/api/v1/fund-links/{link_id}")):
        assert spec["paths"][path][method]["security"] == [{"HTTPBearer": []}], (method, path)
