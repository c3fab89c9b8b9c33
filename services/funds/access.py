"""Which roles may read and which may write in the funds service. Every write is further bound
to the caller's area: the record's place must fall under it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.common.auth.dependencies import require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import PERSON_ROLES, Role

READERS = (*sorted(PERSON_ROLES), Role.PROVINCE_SYSTEM)
# Reports are per county: village and township staff have no county-wide view.
COUNTY_READERS = tuple(
    role for role in READERS if role not in (Role.VILLAGE_OFFICER, Role.TOWNSHIP_REVIEWER)
)
# County finance and rural-revitalisation staff enter allocations, links, payments and assets.
CLERKS = (Role.COUNTY_ADMIN, Role.COUNTY_APPROVER, Role.ADMINISTRATOR)
PROPOSERS = (Role.VILLAGE_OFFICER, Role.COUNTY_ADMIN, Role.ADMINISTRATOR)

Reader = Annotated[Principal, Depends(require_roles(*READERS))]
CountyReader = Annotated[Principal, Depends(require_roles(*COUNTY_READERS))]
Clerk = Annotated[Principal, Depends(require_roles(*CLERKS))]
Proposer = Annotated[Principal, Depends(require_roles(*PROPOSERS))]
RulesSetter = Annotated[Principal, Depends(require_roles(Role.ADMINISTRATOR))]
