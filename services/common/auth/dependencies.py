"""FastAPI dependencies: the current principal, role gates and scope gates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common.auth.principal import Principal
from services.common.auth.roles import Role, Scope
from services.common.errors import DixianError, Forbidden, Unauthorized

bearer = HTTPBearer(auto_error=False, description="Gateway-issued access token (访问令牌)")


def principal_from_request(request: Request) -> Principal | None:
    """The verified principal of the request, or None; the result is cached on the request."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    principal: Principal | None = None
    error: DixianError | None = None
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        error = Unauthorized("A bearer token is required.", code="token_missing")
    else:
        try:
            principal = request.app.state.token_verifier.verify(token.strip())
        except Unauthorized as exc:
            error = exc
    request.state.principal = principal
    request.state.auth_error = error
    return principal


async def get_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> Principal:
    """The caller; 401 `token_missing`, `token_invalid`, `token_expired` or `token_unknown_key`."""
    return _authenticated(request)


def _authenticated(request: Request) -> Principal:
    principal = principal_from_request(request)
    if principal is None:
        raise request.state.auth_error
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


# Dependencies that read the bearer token themselves, without `bearer` as a sub-dependency;
# the OpenAPI document still names the scheme on their operations (services.common.openapi).
bearer_gates: set[Callable[..., object]] = set()


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency letting only the given roles through (403 `role_not_allowed` otherwise).

    Nearly every route has one, and FastAPI's solver costs some CPU for each dependency on
    every request, so it reads the principal itself (not through `get_principal`) and leaves
    the bearer scheme, whose answer nothing reads, to the OpenAPI document (`bearer_gates`)."""
    allowed = frozenset(roles)

    async def check(request: Request) -> Principal:
        principal = _authenticated(request)
        if principal.role not in allowed:
            raise Forbidden(
                f"The role {principal.role.value} may not do this.", code="role_not_allowed"
            )
        return principal

    bearer_gates.add(check)
    return check


def require_scope(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency requiring an extra scope (403 `scope_required` otherwise)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_scope(scope):
            raise Forbidden(f"This needs the scope {scope.value}.", code="scope_required")
        return principal

    return check
