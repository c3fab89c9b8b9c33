"""The gateway's own token for the services' internal routes (scope `internal`).

Minted with the gateway's signing key like any token, kept until shortly before it expires.
"""

from __future__ import annotations

import time

from gateway.auth.issuer import TokenIssuer
from services.common.areas import NATION_CODE
from services.common.auth.roles import Role, Scope

SUBJECT = "service:gateway"
RENEW_BEFORE_SECONDS = 60


class ServiceToken:
    def __init__(self, issuer: TokenIssuer) -> None:
        self._issuer = issuer
        self._token = ""
        self._expires_at = 0.0

    def current(self) -> str:
        if time.monotonic() > self._expires_at - RENEW_BEFORE_SECONDS:
            self._token, lifetime = self._issuer.issue(
                subject=SUBJECT,
                role=Role.ADMINISTRATOR.value,
                area=NATION_CODE,
                scopes=[Scope.INTERNAL.value],
                name="Dixian gateway",
            )
            self._expires_at = time.monotonic() + lifetime
        return self._token
