"""The funds service app: `uvicorn services.funds.app:app` (port 8002 by default)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common.app import create_app
from services.common.changes import changes_router
from services.common.county_figures import county_figure_folding
from services.funds.allocations.endpoints import router as allocations_router
from services.funds.assets.endpoints import router as assets_router
from services.funds.exports.endpoints import router as exports_router
from services.funds.figures.endpoints import router as figures_router
from services.funds.figures.repository import close_days
from services.funds.links.endpoints import router as links_router
from services.funds.payments.endpoints import router as payments_router
from services.funds.projects.endpoints import router as projects_router
from services.funds.reports.endpoints import router as reports_router
from services.funds.rules.endpoints import router as rules_router
from services.funds.settings import FundsSettings

DESCRIPTION = (
    "Linkage fund allocations (资金下达), project library (项目库) and lifecycle, fund links "
    "(资金对接), payments (支付), project assets (项目资产), per-province rules (考核规则) and "
    "spending progress (支出进度) with yellow and red cards."
)


def build_app(settings: FundsSettings | None = None) -> FastAPI:
    settings = settings or FundsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        interval = settings.figure_fold_seconds
        async with county_figure_folding(
            app.state.database, interval, "fund_figures", chores=(close_days,)
        ):
            yield

    return create_app(
        name="funds",
        title="Dixian funds service (衔接资金)",
        description=DESCRIPTION,
        settings=settings,
        routers=[
            changes_router(),
            allocations_router,
            projects_router,
            links_router,
            payments_router,
            assets_router,
            rules_router,
            reports_router,
            figures_router,
            exports_router,
        ],
        lifespan=lifespan,
    )


app = build_app()
