"""`/healthz` (the process is alive) and `/readyz` (database reachable, schema at head)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "migrations" / "alembic.ini"

router = APIRouter(tags=["operations"])


@lru_cache
def migration_head(database: str) -> str | None:
    """The head revision of one database's migration environment."""
    config = Config(str(ALEMBIC_INI), ini_section=database)
    return ScriptDirectory.from_config(config).get_current_head()


@router.get("/healthz", summary="Liveness (存活检查)")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness (就绪检查): database reachable and migrated")
async def readyz(request: Request) -> JSONResponse:
    database_name: str = request.app.state.database_name
    head = migration_head(database_name)
    checks: dict[str, Any] = {"migrations": {"head": head}}
    ready = True
    try:
        async with request.app.state.database.sessionmaker() as session:
            current = await session.scalar(text("SELECT version_num FROM alembic_version"))
        checks["database"] = "ok"
        checks["migrations"]["current"] = current
        if current != head:
            ready = False
    except Exception as exc:
        ready = False
        checks["database"] = f"unreachable: {type(exc).__name__}"
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )
