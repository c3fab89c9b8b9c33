"""Issuing Ed25519-signed access tokens and publishing the verification keys (JWKS)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from gateway.settings import GatewaySettings
from services.common.auth.tokens import ALGORITHM


class TokenIssuer:
    def __init__(self, settings: GatewaySettings) -> None:
        # A PEM given in one environment variable line may carry its newlines as "\n".
        pem = settings.signing_key.replace("\\n", "\n")
        key = load_pem_private_key(pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("GATEWAY_SIGNING_KEY must be an Ed25519 private key (PEM)")
        self._key = key
        self.key_id = settings.signing_key_id
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.lifetime = timedelta(minutes=settings.access_token_minutes)
        self._public_keys = settings.public_keys()

    def issue(
        self, *, subject: str, role: str, area: str, scopes: list[str], name: str | None
    ) -> tuple[str, int]:
        """A signed token and its lifetime in seconds."""
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "role": role,
            "area": area,
            "scope": " ".join(sorted(scopes)),
        }
        if name:
            claims["name"] = name
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.key_id})
        return token, int(self.lifetime.total_seconds())

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """Every key the apps accept, as OKP JSON Web Keys (RFC 8037)."""
        keys = []
        for kid, pem in self._public_keys.items():
            public = load_pem_public_key(pem.encode())
            if not isinstance(public, Ed25519PublicKey):
                continue
            raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
            keys.append(
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "alg": ALGORITHM,
                    "use": "sig",
                    "kid": kid,
                    "x": base64.urlsafe_b64encode(raw).decode().rstrip("="),
                }
            )
        return {"keys": keys}
