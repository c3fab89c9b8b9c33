"""What the gateway indicators benchmark shares: its own databases (`dixian_bench_gi_`, which
no other benchmark empties), the province's layout (real counties of Henan from the gateway's
division list, ten townships of twenty villages each below every county), owner connections
and tokens.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncpg

    from services.common.settings import CommonSettings

PREFIX = "dixian_bench_gi_"
PROVINCE = "410000000000"  # 河南省
YEAR = 2026
TOWNSHIPS = 10  # per county
VILLAGES = 20  # per township


def use_prefix(prefix: str = PREFIX) -> None:
    """Point every settings object at this benchmark's databases (before any is built)."""
    assert prefix.startswith("dixian_bench_"), prefix
    os.environ["DATABASE_PREFIX"] = prefix
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def prepare() -> CommonSettings:
    """The server up and the four databases created and migrated to head."""
    from scripts import bootstrap

    settings = bootstrap.prepare()
    assert settings.database_prefix == os.environ["DATABASE_PREFIX"], settings.database_prefix
    return settings


async def connect(settings: CommonSettings, database: str) -> asyncpg.Connection:
    """A connection to one app's database as the server's owner."""
    import asyncpg

    url = settings.service_database_url(database, driver="postgresql")
    return await asyncpg.connect(url.render_as_string(hide_password=False), command_timeout=None)


@dataclass(frozen=True)
class Province:
    """The benchmark's counties (12-digit codes with their names) and the villages below."""

    counties: tuple[tuple[str, str], ...]

    @property
    def county_codes(self) -> list[str]:
        return [code for code, _ in self.counties]

    def townships(self, county: str) -> list[str]:
        return [f"{county[:6]}{101 + t:03d}000" for t in range(TOWNSHIPS)]

    def villages(self) -> list[str]:
        """Every village, interleaved across counties so that any run of them is spread."""
        return [
            f"{county[:6]}{101 + position // VILLAGES:03d}{201 + position % VILLAGES:03d}"
            for position in range(TOWNSHIPS * VILLAGES)
            for county in self.county_codes
        ]


async def province(gateway: asyncpg.Connection, counties: int) -> Province:
    """The first `counties` county-level units of the province in the gateway's registry."""
    rows = await gateway.fetch(
        "SELECT code, name FROM areas WHERE level = 'county' AND code LIKE $1 "
        "AND custom = false ORDER BY code LIMIT $2",
        PROVINCE[:2] + "%",
        counties,
    )
    assert len(rows) == counties, f"the registry has only {len(rows)} counties in {PROVINCE}"
    return Province(tuple((row["code"], row["name"]) for row in rows))


def token(role: str, area: str, scopes: list[str] | None = None) -> dict[str, str]:
    """A bearer header minted the way the gateway does, with the development key."""
    from gateway.auth.issuer import TokenIssuer
    from gateway.settings import GatewaySettings
    from services.common.settings import DEV_SIGNING_KEY, DEV_SIGNING_KEY_ID

    issuer = TokenIssuer(
        GatewaySettings(signing_key=DEV_SIGNING_KEY, signing_key_id=DEV_SIGNING_KEY_ID)
    )
    minted, _ = issuer.issue(
        subject=f"user:bench-{role}", role=role, area=area, scopes=scopes or [], name="bench"
    )
    return {"Authorization": f"Bearer {minted}"}


def internal_token() -> dict[str, str]:
    """The gateway's own service token (scope `internal`), as the gateway sends it."""
    from gateway.auth.issuer import TokenIssuer
    from gateway.indicators.service_token import ServiceToken
    from gateway.settings import GatewaySettings
    from services.common.settings import DEV_SIGNING_KEY, DEV_SIGNING_KEY_ID

    issuer = TokenIssuer(
        GatewaySettings(signing_key=DEV_SIGNING_KEY, signing_key_id=DEV_SIGNING_KEY_ID)
    )
    return {"Authorization": f"Bearer {ServiceToken(issuer).current()}"}
