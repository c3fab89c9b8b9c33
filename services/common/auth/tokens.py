"""Verifying the gateway's Ed25519-signed JWTs, which every app does for itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from services.common.areas import InvalidAreaCode, validate_area_code
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.errors import Unauthorized

ALGORITHM = "EdDSA"


class TokenVerifier:
    """Checks signature (by key id), expiry, issuer and audience, and builds the Principal."""

    def __init__(
        self, public_keys: Mapping[str, str], *, issuer: str, audience: str, leeway: int = 5
    ) -> None:
        self._keys: dict[str, Any] = {
            kid: load_pem_public_key(pem.encode()) for kid, pem in public_keys.items()
        }
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway

    def verify(self, token: str) -> Principal:
        """The principal a valid token stands for; `Unauthorized` with a precise code otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise Unauthorized("The token is malformed.", code="token_invalid") from exc
        key = self._keys.get(str(header.get("kid")))
        if key is None:
            raise Unauthorized(
                "The token was signed with an unknown key.", code="token_unknown_key"
            )
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired.", code="token_expired") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"The token is not valid: {exc}", code="token_invalid") from exc
        return _principal(claims)


def _principal(claims: Mapping[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
        area = validate_area_code(str(claims["area"]))
    except (KeyError, ValueError, InvalidAreaCode) as exc:
        raise Unauthorized("The token's role or area is not valid.", code="token_invalid") from exc
    scopes = frozenset(str(claims.get("scope", "")).split())
    return Principal(
        subject=str(claims["sub"]), role=role, area=area, scopes=scopes, name=claims.get("name")
    )
