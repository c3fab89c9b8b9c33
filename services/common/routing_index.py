"""A literal-prefix check in front of each included router.

FastAPI matches a request by asking every included router in turn, and each router tries its
routes' patterns, with some bookkeeping of its own per route: a request for the tenth router
pays for the nine before it (about 5% of a small write's CPU). Every route of an included
router starts with the same literal text (the include prefix, the router's prefix, then the
route's path up to its first parameter), so a path that does not start with it cannot match
any of them and the router is skipped without being asked. Routers holding anything but
plain API routes (mounts, nested routers), and routers changed after the check was set up,
are asked as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

try:  # where Starlette's routes take the path they match from (root_path removed)
    from starlette._utils import get_route_path
except ImportError:  # pragma: no cover - another Starlette: no index, routing unchanged
    get_route_path = None  # type: ignore[assignment]

Matcher = Callable[[Scope], tuple[Match, Scope]]


def index_included_routers(app: FastAPI) -> None:
    """Put the prefix check in front of every included router of `app` it can cover."""
    if get_route_path is None:
        return
    for route in app.router.routes:
        prefix = _literal_prefix(route)
        if prefix:
            # An instance attribute: the included router's own `matches` stays as it was.
            setattr(route, "matches", _checked(route.matches, prefix, route))  # noqa: B010


def _literal_prefix(route: Any) -> str | None:
    """The text every path `route` (an included router) can match starts with, or None."""
    original = getattr(route, "original_router", None)
    if original is None or not hasattr(route, "effective_candidates"):
        return None
    literals = []
    for candidate in route.effective_candidates():
        target = getattr(candidate, "original_route", None)
        path = getattr(candidate, "path_format", None)
        if not isinstance(target, APIRoute) or not isinstance(path, str) or not path:
            return None
        literals.append(path.split("{", 1)[0])
    return _common_prefix(literals) if literals else None


def _common_prefix(texts: list[str]) -> str:
    """The longest text all of `texts` start with (character by character, not by path
    segment: "/api/v1/exports/p" for "/api/v1/exports/payments.csv" and ".../projects.csv")."""
    first, last = min(texts), max(texts)
    shared = 0
    while shared < len(first) and first[shared] == last[shared]:
        shared += 1
    return first[:shared]


def _checked(matches: Matcher, prefix: str, route: Any) -> Matcher:
    version = route.original_router._get_routes_version()

    def prefix_then_matches(scope: Scope) -> tuple[Match, Scope]:
        if (
            scope["type"] == "http"
            and not get_route_path(scope).startswith(prefix)
            and route.original_router._routes_version == version
        ):
            return Match.NONE, {}
        return matches(scope)

    return prefix_then_matches
