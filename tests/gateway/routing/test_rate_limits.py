"""Rate limits of machine clients at the gateway: a token bucket per client for pulls and
exports and another for everything else; 429 `rate_limited` with Retry-After, then recovery.
The limiter's clock is advanced by hand, so no test waits or measures time."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from gateway.routing.rate_limits import RateLimiter
from gateway.settings import GatewaySettings
from services.common.auth.roles import Role
from tests.support.identities import PROVINCE, TokenFactory

CHANGES = "/api/v1/monitoring/changes"
EXPORT = "/api/v1/funds/exports/projects"
ME = "/api/v1/auth/me"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limit(gateway_app: FastAPI, **rules: int) -> Clock:
    clock = Clock()
    gateway_app.state.rate_limiter = RateLimiter(GatewaySettings(**rules), clock=clock)
    return clock


def platform(tokens: TokenFactory, client_id: str = "henan-platform") -> dict[str, str]:
    return tokens.headers(Role.PROVINCE_SYSTEM, PROVINCE, sub=f"client:{client_id}")


async def test_pulls_and_exports_share_a_bucket_and_recover(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    clock = limit(apps["gateway"], rate_limit_pulls_burst=3, rate_limit_pulls_per_minute=30)
    headers = platform(tokens)
    for path in (CHANGES, EXPORT, CHANGES):
        assert (await gateway.get(path, headers=headers)).status_code == 200

    limited = await gateway.get(CHANGES, headers=headers)
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert limited.json()["code"] == "rate_limited"
    assert limited.headers["Retry-After"] == "2"  # 30 a minute: one every 2 s
    assert limited.headers["X-Request-ID"] == limited.json()["request_id"]
    assert (await gateway.get(EXPORT, headers=headers)).status_code == 429

    # Other requests and other clients have buckets of their own.
    assert (await gateway.get(ME, headers=headers)).status_code == 200
    assert (
        await gateway.get(CHANGES, headers=platform(tokens, "hebei-platform"))
    ).status_code == 200

    clock.now += int(limited.headers["Retry-After"])
    assert (await gateway.get(CHANGES, headers=headers)).status_code == 200
    assert (await gateway.get(CHANGES, headers=headers)).status_code == 429


async def test_other_requests_have_their_own_limit(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    clock = limit(apps["gateway"], rate_limit_requests_burst=2, rate_limit_requests_per_minute=120)
    headers = platform(tokens)
    for _ in range(2):
        assert (await gateway.get(ME, headers=headers)).status_code == 200
    limited = await gateway.get("/api/v1/monitoring/households", headers=headers)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert (await gateway.get(CHANGES, headers=headers)).status_code == 200
    clock.now += 0.5
    assert (await gateway.get(ME, headers=headers)).status_code == 200


async def test_people_and_feeds_of_other_kinds(
    gateway: AsyncClient, apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    limit(apps["gateway"], rate_limit_requests_burst=1, rate_limit_requests_per_minute=1)
    person = tokens.headers(Role.PROVINCE_VIEWER, PROVINCE)
    for _ in range(3):
        assert (await gateway.get(ME, headers=person)).status_code == 200
    feed = tokens.headers(Role.DEPARTMENT_FEED, PROVINCE, sub="client:medical-insurance")
    assert (await gateway.get(ME, headers=feed)).status_code == 200
    limited = await gateway.get(ME, headers=feed)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"
    # An invalid token is refused by authentication, not counted.
    answer = await gateway.get(ME, headers={"Authorization": "Bearer nonsense"})
    assert answer.status_code == 401
