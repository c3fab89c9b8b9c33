"""The employment service app: `uvicorn services.employment.app:app` (port 8003 by default)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common.app import create_app
from services.common.changes import changes_router
from services.common.closed_figures import close_days
from services.common.county_figures import county_figure_folding
from services.employment.bulk.endpoints import router as bulk_router
from services.employment.exports.endpoints import router as exports_router
from services.employment.figures.endpoints import router as figures_router
from services.employment.labourers.endpoints import router as labourers_router
from services.employment.loans.endpoints import router as loans_router
from services.employment.posts.endpoints import router as posts_router
from services.employment.registry.client import make_monitoring_client
from services.employment.settings import EmploymentSettings
from services.employment.spells.endpoints import router as spells_router
from services.employment.subsidies.endpoints import router as subsidies_router
from services.employment.targets.endpoints import router as targets_router
from services.employment.workshops.endpoints import router as workshops_router

DESCRIPTION = (
    "Labourers (劳动力), employment spells (就业), public-welfare posts (公益性岗位), "
    "assistance workshops (帮扶车间), training, subsidies and microcredit loans (小额信贷)."
)


def build_app(settings: EmploymentSettings | None = None) -> FastAPI:
    settings = settings or EmploymentSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with county_figure_folding(
            app.state.database, settings.figure_fold_seconds, chores=(close_days,)
        ):
            yield
        await app.state.monitoring.aclose()

    app = create_app(
        name="employment",
        title="Dixian employment service (就业与小额信贷)",
        description=DESCRIPTION,
        settings=settings,
        routers=[
            changes_router(),
            labourers_router,
            spells_router,
            posts_router,
            workshops_router,
            targets_router,
            subsidies_router,
            loans_router,
            exports_router,
            figures_router,
            bulk_router,
        ],
        lifespan=lifespan,
    )
    # One client for the monitoring service, created here and closed by the lifespan; tests
    # point it at the in-process monitoring app.
    app.state.monitoring = make_monitoring_client(settings)
    return app


app = build_app()
