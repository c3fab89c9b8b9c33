"""The OpenAPI document says what errors look like: every operation's 4xx and 5xx answers are
problem+json (`Problem`), in place of FastAPI's default 422 `HTTPValidationError`, so clients
and schema-driven tests know the one error shape."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from services.common.auth.dependencies import bearer, bearer_gates
from services.common.errors import PROBLEM_JSON, Problem

_REF = "#/components/schemas/{model}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The `responses=` of a route that also answers `format=csv` or `format=xlsx`.
TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        }
    }
}
_ERRORS = {
    "4XX": "Client error (请求错误): problem+json naming the field and rule at fault, if any",
    "5XX": "Server error (服务错误): 502/503/504 when a dependency cannot answer; retry later",
}


def document_problems(app: FastAPI) -> None:
    """Replace `app.openapi` with one that documents the error responses as problem+json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _with_bearer_gates(schema, app.routes)
            _with_problems(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _with_bearer_gates(schema: dict[str, Any], routes: list[BaseRoute]) -> None:
    """Name the bearer scheme on every operation behind a role gate, as FastAPI does for a
    `Security` dependency: the gates read the token without one (`bearer_gates`)."""
    name = bearer.scheme_name
    requirement: dict[str, list[str]] = {name: []}
    gated = False
    for context in iter_route_contexts(routes):
        if not isinstance(context.original_route, APIRoute) or not context.include_in_schema:
            continue
        if not _behind_gate(context.dependant):
            continue
        item = schema.get("paths", {}).get(context.path_format, {})
        for method in context.methods or ():
            operation = item.get(method.lower())
            if operation is None:
                continue
            gated = True
            security = operation.setdefault("security", [])
            if requirement not in security:
                security.append(requirement)
    if gated:
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes.setdefault(name, jsonable_encoder(bearer.model, by_alias=True, exclude_none=True))


def _behind_gate(dependant: Dependant) -> bool:
    return any(sub.call in bearer_gates or _behind_gate(sub) for sub in dependant.dependencies)


def _with_problems(schema: dict[str, Any]) -> None:
    problem = Problem.model_json_schema(ref_template=_REF)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(problem.pop("$defs", {}))
    problem["additionalProperties"] = True  # e.g. `unpaid`, `current`, `allowed_actions`
    components["Problem"] = problem
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    content = {PROBLEM_JSON: {"schema": {"$ref": _REF.format(model="Problem")}}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, description in _ERRORS.items():
                responses[status] = {"description": description, "content": content}
