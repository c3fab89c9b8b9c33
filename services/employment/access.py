"""Which roles may read and which may write in the employment service.

Township and county employment staff record labourers, jobs, posts, workshops and subsidies
within their area; loans are entered by county staff (county approver and county
administrator) for now, partner banks not being clients of their own yet; everyone with a
reading role reads within their area. An administrator may do everything within its area.
"""

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
RECORDERS = (Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER, Role.COUNTY_ADMIN, Role.ADMINISTRATOR)
LENDERS = (Role.COUNTY_APPROVER, Role.COUNTY_ADMIN, Role.ADMINISTRATOR)
TARGET_SETTERS = (Role.COUNTY_ADMIN, Role.ADMINISTRATOR)

Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Recorder = Annotated[Principal, Depends(require_roles(*RECORDERS))]
Lender = Annotated[Principal, Depends(require_roles(*LENDERS))]
TargetSetter = Annotated[Principal, Depends(require_roles(*TARGET_SETTERS))]
