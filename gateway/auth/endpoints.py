"""`POST /auth/token` (OAuth2 password and client-credentials grants), `GET /auth/jwks`,
`GET /auth/me`."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel

from gateway.auth import service
from services.common.auth.dependencies import CurrentPrincipal
from services.common.errors import DixianError, FieldProblem, InvalidInput, Unauthorized

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    scope: str


class Me(BaseModel):
    subject: str
    role: str
    area: str
    area_level: str
    scopes: list[str]
    name: str | None


@router.post(
    "/token",
    response_model=TokenResponse,
    summary="Get an access token (获取访问令牌)",
    description=(
        "OAuth2 token endpoint. `grant_type=password` with `username` and `password` for people; "
        "`grant_type=client_credentials` with `client_id` and `client_secret` (in the form or as "
        "HTTP Basic) for machine clients. Five wrong passwords in a row lock the account for "
        "15 minutes (configurable)."
    ),
)
async def issue_token(
    request: Request,
    grant_type: Annotated[Literal["password", "client_credentials"], Form()],
    username: Annotated[str | None, Form(max_length=64)] = None,
    password: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
) -> TokenResponse:
    issuer = request.app.state.token_issuer
    async with request.app.state.database.sessionmaker() as session, session.begin():
        result: service.IssuedToken | DixianError
        if grant_type == "password":
            if not username or not password:
                raise _missing(("username", "password"), "password")
            result = await service.password_grant(
                session, issuer, request.app.state.settings, username=username, password=password
            )
        else:
            client_id, client_secret = _client_credentials(request, client_id, client_secret)
            result = await service.client_credentials_grant(
                session, issuer, client_id=client_id, client_secret=client_secret
            )
    # The transaction is committed here, failed attempts included, before answering.
    if isinstance(result, DixianError):
        raise result
    return TokenResponse(
        access_token=result.access_token, expires_in=result.expires_in, scope=result.scope
    )


def _missing(names: tuple[str, str], grant: str) -> InvalidInput:
    return InvalidInput(
        f"The {grant} grant needs {names[0]} and {names[1]}.",
        fields=[
            FieldProblem(field=f"body.{name}", rule="missing", message=f"{name} is required")
            for name in names
        ],
    )


def _client_credentials(
    request: Request, client_id: str | None, client_secret: str | None
) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            client_id, _, client_secret = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise Unauthorized("Malformed Basic credentials.", code="invalid_client") from exc
    if not client_id or not client_secret:
        raise _missing(("client_id", "client_secret"), "client_credentials")
    return client_id, client_secret


@router.get("/jwks", summary="Token verification keys (JWKS, 令牌验证公钥)")
async def jwks(request: Request) -> dict[str, list[dict[str, str]]]:
    return request.app.state.token_issuer.jwks()


@router.get("/me", response_model=Me, summary="Who am I (当前身份)")
async def me(principal: CurrentPrincipal) -> Me:
    return Me(
        subject=principal.subject,
        role=principal.role.value,
        area=principal.area,
        area_level=principal.area_level,
        scopes=sorted(principal.scopes),
        name=principal.name,
    )
