"""The employment service app: `uvicorn services.employment.app:app` (port 8003 by default)."""

from fastapi import FastAPI

from services.common.app import create_app
from services.common.changes import changes_router
from services.employment.settings import EmploymentSettings

DESCRIPTION = (
    "Labourers (劳动力), employment spells (就业), public-welfare posts (公益性岗位), "
    "assistance workshops (帮扶车间), training, subsidies and microcredit loans (小额信贷)."
)


def build_app(settings: EmploymentSettings | None = None) -> FastAPI:
    return create_app(
        name="employment",
        title="Dixian employment service (就业与小额信贷)",
        description=DESCRIPTION,
        settings=settings or EmploymentSettings(),
        routers=[changes_router()],
    )


app = build_app()
