"""`/areas`: the area registry."""

from services.common.database import UnitOfWorkRouter

router = UnitOfWorkRouter(prefix="/areas", tags=["areas"])
