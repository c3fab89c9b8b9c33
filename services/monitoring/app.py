"""The monitoring service app: `uvicorn services.monitoring.app:app` (port 8001 by default)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common.app import create_app
from services.common.changes import changes_router
from services.common.closed_figures import close_days
from services.common.county_figures import county_figure_folding
from services.monitoring.cases.endpoints import router as cases_router
from services.monitoring.codes.endpoints import router as code_lists_router
from services.monitoring.exports.endpoints import router as exports_router
from services.monitoring.feeds.endpoints import push_router as feed_push_router
from services.monitoring.feeds.endpoints import router as feed_batches_router
from services.monitoring.feeds.worker import feed_worker
from services.monitoring.figures.endpoints import router as figures_router
from services.monitoring.households.endpoints import router as households_router
from services.monitoring.households.lookup import router as people_router
from services.monitoring.imports.endpoints import router as imports_router
from services.monitoring.incomes.endpoints import router as incomes_router
from services.monitoring.plans.endpoints import router as help_plans_router
from services.monitoring.settings import MonitoringSettings
from services.monitoring.sync.endpoints import pull_router as sync_pull_router
from services.monitoring.sync.endpoints import push_router as sync_push_router
from services.monitoring.visits.endpoints import router as visits_router
from services.monitoring.warnings.endpoints import leads_router, warnings_router
from services.monitoring.warnings.rules.endpoints import router as warning_rules_router

DESCRIPTION = (
    "Household registry (农户台账), identification (识别纳入) and risk-elimination (风险消除) "
    "workflows, help plans (帮扶计划), revisits and department early warnings (行业部门预警)."
)


def build_app(settings: MonitoringSettings | None = None) -> FastAPI:
    settings = settings or MonitoringSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        folding = county_figure_folding(
            app.state.database, settings.figure_fold_seconds, chores=(close_days,)
        )
        async with feed_worker(app), folding:
            yield

    return create_app(
        name="monitoring",
        title="Dixian monitoring service (监测帮扶)",
        description=DESCRIPTION,
        settings=settings,
        routers=[
            changes_router(),
            cases_router,
            code_lists_router,
            # Before the households router: its /households/{household_id} would otherwise
            # take /households/without-measures.
            help_plans_router,
            visits_router,
            households_router,
            people_router,
            imports_router,
            incomes_router,
            figures_router,
            exports_router,
            feed_push_router,
            feed_batches_router,
            warning_rules_router,
            warnings_router,
            leads_router,
            sync_push_router,
            sync_pull_router,
        ],
        lifespan=lifespan,
    )


app = build_app()
