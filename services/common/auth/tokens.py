"""Verifying the gateway's Ed25519-signed JWTs, which every app does for itself.

A client sends the same token with every request until it expires, and checking its
signature is about a fifth of the server's CPU for a simple read. So a verified token is
remembered, by its exact text, until its expiry: a bounded least-recently-used cache. A token's
text fixes its claims, and expiry is the only check whose answer changes with time (`iat`
and `nbf` only become more valid), so a remembered token is checked for expiry on every use.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
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
        self,
        public_keys: Mapping[str, str],
        *,
        issuer: str,
        audience: str,
        leeway: int = 5,
        cache_size: int = 4096,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys: dict[str, Any] = {
            kid: load_pem_public_key(pem.encode()) for kid, pem in public_keys.items()
        }
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.cache_size = cache_size
        self._clock = clock
        # token text -> (principal, expiry as a POSIX timestamp)
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        """The principal a valid token stands for; `Unauthorized` with a precise code otherwise."""
        with self._lock:
            known = self._verified.get(token)
            if known is not None:
                self._verified.move_to_end(token)
        if known is not None:
            principal, expires = known
            if expires <= self._clock() - self.leeway:
                with self._lock:
                    self._verified.pop(token, None)
                raise Unauthorized("The token has expired.", code="token_expired")
            return principal
        principal, expires = self._check(token)
        if self.cache_size > 0:
            with self._lock:
                self._verified[token] = (principal, expires)
                if len(self._verified) > self.cache_size:
                    self._verified.popitem(last=False)
        return principal

    def _check(self, token: str) -> tuple[Principal, float]:
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
        return _principal(claims), float(claims["exp"])


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
