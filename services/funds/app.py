"""The funds service app: `uvicorn services.funds.app:app` (port 8002 by default)."""

from fastapi import FastAPI

from services.common.app import create_app
from services.common.changes import changes_router
from services.funds.settings import FundsSettings

DESCRIPTION = (
    "Linkage fund allocations (资金下达), project library (项目库) and lifecycle, payments "
    "(支付), project assets (项目资产) and spending progress (支出进度)."
)


def build_app(settings: FundsSettings | None = None) -> FastAPI:
    return create_app(
        name="funds",
        title="Dixian funds service (衔接资金)",
        description=DESCRIPTION,
        settings=settings or FundsSettings(),
        routers=[changes_router()],
    )


app = build_app()
