"""Rate limits for machine clients (province systems, department feeds): a token bucket per
client and kind of request, pulls and exports (`/changes`, `/exports/...`) apart from the rest.

The buckets live in this process: each gateway replica limits on its own, so behind N replicas
a client may reach up to N times the configured rate (see the README).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request

from gateway.settings import GatewaySettings
from services.common.auth.dependencies import principal_from_request
from services.common.auth.roles import Role
from services.common.errors import DixianError

LIMITED_ROLES = frozenset({Role.PROVINCE_SYSTEM, Role.DEPARTMENT_FEED})
PULL_PATH = re.compile(r"^/api/v1/(?:[a-z]+/)?(?:changes|exports)(?:/|$)")


class RateLimited(DixianError):
    status = 429
    code = "rate_limited"


@dataclass
class TokenBucket:
    """`capacity` requests at once, refilled at `per_second`."""

    capacity: float
    per_second: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token: 0 when there was one, else the seconds until there will be."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


class RateLimiter:
    """Buckets per (client, kind), created on a client's first request."""

    def __init__(
        self, settings: GatewaySettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.clock = clock
        self.rules = {
            "pulls": (settings.rate_limit_pulls_burst, settings.rate_limit_pulls_per_minute),
            "requests": (
                settings.rate_limit_requests_burst,
                settings.rate_limit_requests_per_minute,
            ),
        }
        self.buckets: dict[tuple[str, str], TokenBucket] = {}

    def check(self, client: str, kind: str) -> None:
        """429 `rate_limited` with `Retry-After` (whole seconds) when the bucket is empty."""
        now = self.clock()
        bucket = self.buckets.get((client, kind))
        if bucket is None:
            burst, per_minute = self.rules[kind]
            bucket = TokenBucket(burst, per_minute / 60, burst, now)
            self.buckets[(client, kind)] = bucket
        wait = bucket.take(now)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise RateLimited(
                f"Too many {kind} from this client; retry in {seconds} s.",
                headers={"Retry-After": str(seconds)},
            )


async def enforce_rate_limit(request: Request) -> None:
    """Route dependency: limits a machine client's request; people and anonymous callers pass
    (an invalid token is left for the route's own authentication to refuse)."""
    principal = principal_from_request(request)
    if principal is None or principal.role not in LIMITED_ROLES:
        return
    kind = "pulls" if PULL_PATH.match(request.url.path) else "requests"
    limiter: RateLimiter = request.app.state.rate_limiter
    limiter.check(principal.subject, kind)


def rate_limited(routers: Sequence[APIRouter]) -> APIRouter:
    """The gateway's routers under one router whose every route applies the rate limit."""
    limited = APIRouter(dependencies=[Depends(enforce_rate_limit)])
    for router in routers:
        limited.include_router(router)
    return limited
