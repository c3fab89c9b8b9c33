"""Every operation of an app's OpenAPI document, with who may call it, read from the code.

The allowed roles come from the route's dependencies (`require_roles(...)`, `require_scope(...)`
anywhere in its dependency tree), so a new endpoint is covered the moment it exists. A route
that takes a token but declares no role must be listed in `OPEN_TO_EVERY_ROLE` with a reason; a
route that takes no token must be listed in `PUBLIC`. Anything else fails the matrix with a
message saying what to declare.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant

from services.common.auth import dependencies
from services.common.auth.roles import Role, Scope

ALL_ROLES = frozenset(Role)
METHODS = ("get", "post", "put", "patch", "delete")

# Operations answering without a token (keys are "<app> <METHOD> <path>"; "*" is any app).
PUBLIC = {
    "* GET /healthz": "liveness probe",
    "* GET /readyz": "readiness probe",
    "gateway POST /api/v1/auth/token": "sign-in (password or client credentials)",
    "gateway GET /api/v1/auth/jwks": "the public verification keys",
}

# Operations every role may call (each still answers only within the caller's area).
OPEN_TO_EVERY_ROLE = {
    "* GET /api/v1/changes": "change feed of the caller's area (mobile sync, provincial pulls)",
    "gateway GET /api/v1/auth/me": "who am I",
    "gateway GET /api/v1/areas": "the area registry (reference data)",
    "gateway GET /api/v1/areas/{code}": "the area registry (reference data)",
    "monitoring GET /api/v1/code-lists": "code lists (reference data)",
    "monitoring GET /api/v1/code-lists/{list_name}": "code lists (reference data)",
    "monitoring GET /api/v1/monitoring-lines/{province_code}": "monitoring lines (published)",
    "monitoring GET /api/v1/warning-rules": "warning rules (published configuration)",
    "monitoring GET /api/v1/warning-rules/{rule_id}": "warning rules (published configuration)",
}


@dataclass(frozen=True)
class Operation:
    app: str
    method: str
    path: str
    path_params: tuple[str, ...]
    required_query: tuple[str, ...]
    query: tuple[str, ...]
    body_media: str | None
    body_schema: dict[str, Any] | None
    public: bool
    roles: frozenset[Role]
    scopes: frozenset[Scope]

    @property
    def key(self) -> str:
        return f"{self.app} {self.method} {self.path}"

    @property
    def reads(self) -> bool:
        return self.method == "GET"

    def may(self, role: Role, scopes: frozenset[str] = frozenset()) -> bool:
        """True when this role, holding these extra scopes, passes the route's gates."""
        return role in self.roles and all(scope.value in scopes for scope in self.scopes)


class UndeclaredAccess(AssertionError):
    """A route whose access rule the matrix cannot read: the developer must declare it."""


def declared(table: dict[str, str], app: str, method: str, path: str) -> bool:
    return f"{app} {method} {path}" in table or f"* {method} {path}" in table


def operations(name: str, app: FastAPI) -> tuple[list[Operation], list[str]]:
    """The operations of the app's OpenAPI document, each with its access rule, and what the
    matrix could not read (each a message telling the developer what to declare)."""
    document = app.openapi()
    found: list[Operation] = []
    undeclared: list[str] = []
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                try:
                    found.append(
                        _operation(name, app, document, path, method.upper(), item[method])
                    )
                except UndeclaredAccess as exc:
                    undeclared.append(str(exc))
    return found, undeclared


def _operation(
    name: str, app: FastAPI, document: dict[str, Any], path: str, method: str, spec: Any
) -> Operation:
    parameters = spec.get("parameters", [])
    media, schema = _request_body(document, spec)
    gates = _gates(_dependant(app, path, method))
    public = not gates.takes_token
    key = f"{name} {method} {path}"
    if public and not declared(PUBLIC, name, method, path):
        raise UndeclaredAccess(
            f"{key} answers without a token. Protect it (CurrentPrincipal / require_roles) or "
            "list it in PUBLIC in tests/authorization/operations.py with the reason."
        )
    roles = gates.roles
    if not public and roles is None and gates.scopes:
        roles = ALL_ROLES  # a scope gate alone: any role holding the scope (granted one by one)
    if not public and roles is None:
        if not declared(OPEN_TO_EVERY_ROLE, name, method, path):
            raise UndeclaredAccess(
                f"{key} takes a token but declares no role. Add Depends(require_roles(...)) to "
                "the route, or list it in OPEN_TO_EVERY_ROLE in "
                "tests/authorization/operations.py with the reason."
            )
        roles = ALL_ROLES
    return Operation(
        app=name,
        method=method,
        path=path,
        path_params=tuple(p["name"] for p in parameters if p["in"] == "path"),
        required_query=tuple(
            p["name"] for p in parameters if p["in"] == "query" and p.get("required")
        ),
        query=tuple(p["name"] for p in parameters if p["in"] == "query"),
        body_media=media,
        body_schema=schema,
        public=public,
        roles=frozenset() if public else frozenset(roles or ()),
        scopes=gates.scopes,
    )


def _request_body(document: dict[str, Any], spec: Any) -> tuple[str | None, Any]:
    content = spec.get("requestBody", {}).get("content", {})
    if not content:
        return None, None
    media = "application/json" if "application/json" in content else next(iter(content))
    return media, content[media].get("schema")


def _dependant(app: FastAPI, path: str, method: str) -> Dependant:
    for context in routing.iter_route_contexts(app.routes):
        if not isinstance(context.original_route, routing.APIRoute):
            continue
        if context.path_format == path and method in (context.methods or ()):
            dependant: Dependant = context.dependant
            return dependant
    raise AssertionError(f"{method} {path} is in the OpenAPI document but has no route")


@dataclass
class _Gates:
    takes_token: bool = False
    roles: frozenset[Role] | None = None
    scopes: frozenset[Scope] = frozenset()


def _gates(dependant: Dependant) -> _Gates:
    """The role and scope gates anywhere in a route's dependency tree (roles intersect)."""
    gates = _Gates()
    pending = [dependant]
    while pending:
        current = pending.pop()
        pending.extend(current.dependencies)
        call = current.call
        if call is dependencies.get_principal:
            gates.takes_token = True
        elif _made_by(call, "require_roles"):
            gates.takes_token = True  # it reads the token itself (not through get_principal)
            allowed = frozenset(_closure(call, "allowed"))
            gates.roles = allowed if gates.roles is None else gates.roles & allowed
        elif _made_by(call, "require_scope"):
            gates.scopes = gates.scopes | {_closure(call, "scope")}
    return gates


def _made_by(call: Any, factory: str) -> bool:
    return getattr(call, "__module__", None) == dependencies.__name__ and getattr(
        call, "__qualname__", ""
    ).startswith(f"{factory}.<locals>.")


def _closure(call: Any, name: str) -> Any:
    captured = inspect.getclosurevars(call).nonlocals
    if name not in captured:
        raise AssertionError(
            f"{call.__qualname__} no longer keeps `{name}`: "
            "update tests/authorization/operations.py"
        )
    return captured[name]
