"""`GET /people/by-index/{index}`: who a person is in the registry, found by the blind index
of their ID number. Other services (employment's loan eligibility) compute the index with the
shared key and ask with the caller's own token, so the full number never travels and the
answer is scoped to the caller's area like any read."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel
from sqlalchemy import select

from services.common.audit import record_audit
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.errors import NotFound
from services.common.scope import in_scope
from services.monitoring.access import Reader
from services.monitoring.models import Household, Member

router = UnitOfWorkRouter(tags=["households"])
IndexHex = Annotated[
    str, Path(pattern=r"^[0-9a-f]{64}$", description="hex of the HMAC blind index")
]


class PersonStanding(BaseModel):
    """A person's place in the registry, as other services need it (no personal numbers)."""

    member_id: uuid.UUID
    household_id: uuid.UUID
    area_code: str
    person_number: str
    birth_date: date
    labour_ability: str | None
    household_kind: str
    monitoring_status: str
    monitoring_category: str | None


@router.get(
    "/people/by-index/{index}",
    response_model=PersonStanding,
    summary="A person's household and status by ID blind index (人员身份核验)",
)
async def person_by_index(
    index: IndexHex, session: SessionDep, principal: Reader
) -> PersonStanding:
    row = (
        await session.execute(
            select(Member, Household)
            .join(Household, Household.id == Member.household_id)
            .where(
                Member.person_number_index == bytes.fromhex(index),
                Member.active,
                in_scope(Member.area_code, principal),
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No active member with this ID number in your area.")
    member, household = row
    await record_audit(
        session,
        principal,
        action="read",
        entity="member",
        entity_id=str(member.id),
        area_code=member.area_code,
    )
    return PersonStanding(
        member_id=member.id,
        household_id=household.id,
        area_code=member.area_code,
        person_number=member.person_number_masked,
        birth_date=member.birth_date,
        labour_ability=member.labour_ability,
        household_kind=household.kind,
        monitoring_status=household.monitoring_status,
        monitoring_category=household.monitoring_category,
    )
