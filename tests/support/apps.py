"""Building the four apps for tests and cleaning up after committing tests."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import psycopg
from fastapi import FastAPI

from gateway.app import build_app as build_gateway
from scripts.bootstrap import DATABASES
from services.common.settings import CommonSettings
from services.employment.app import build_app as build_employment
from services.funds.app import build_app as build_funds
from services.monitoring.app import build_app as build_monitoring

APP_BUILDERS: dict[str, Callable[[], FastAPI]] = {
    "gateway": build_gateway,
    "monitoring": build_monitoring,
    "funds": build_funds,
    "employment": build_employment,
}

# Tables whose rows committing tests create; the audit log is append-only and stays.
KEEP_TABLES = {"alembic_version", "audit_log", "areas", "codes"}


def wire_upstreams(apps: dict[str, FastAPI]) -> None:
    """Point the gateway's upstream clients at the in-process service apps."""
    apps["gateway"].state.upstreams = {
        name: httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps[name]), base_url=f"http://{name}"
        )
        for name in ("monitoring", "funds", "employment")
    }
    # The employment service asks monitoring about people (eligibility) with its own client.
    apps["employment"].state.monitoring = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=apps["monitoring"]), base_url="http://monitoring"
    )


async def cleanup_committed(settings: CommonSettings) -> None:
    """Empty every table a committing test may have written (areas: only what tests added)."""
    for name in DATABASES:
        url = settings.service_database_url(name, driver="postgresql").render_as_string(
            hide_password=False
        )
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
            rows = await connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
            tables = [row[0] for row in await rows.fetchall() if row[0] not in KEEP_TABLES]
            if tables:
                await connection.execute(
                    "TRUNCATE "
                    + ", ".join(f'"{table}"' for table in tables)
                    + " RESTART IDENTITY CASCADE"
                )
            if name == "gateway":
                await connection.execute(
                    "DELETE FROM areas WHERE custom OR level IN ('township', 'village')"
                )
