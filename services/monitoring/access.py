"""Which roles may read and which may write in the monitoring service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.common.auth.dependencies import require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import Role

READERS = (
    Role.VILLAGE_OFFICER,
    Role.TOWNSHIP_REVIEWER,
    Role.COUNTY_APPROVER,
    Role.COUNTY_ADMIN,
    Role.CITY_VIEWER,
    Role.PROVINCE_VIEWER,
    Role.PROVINCE_SYSTEM,
    Role.ADMINISTRATOR,
)
REGISTRARS = (Role.VILLAGE_OFFICER, Role.COUNTY_ADMIN, Role.ADMINISTRATOR)

Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Registrar = Annotated[Principal, Depends(require_roles(*REGISTRARS))]
