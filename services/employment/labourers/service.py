"""The rules of labourers: who may be registered, and what every write leaves behind."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.concurrency import check_version
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.history import record_write
from services.common.personal_data import Protector
from services.employment.figures import rollups as f
from services.employment.labourers import repository
from services.employment.labourers.schemas import (
    LabourerCreate,
    LabourerRead,
    LabourerUpdate,
    TrainingCreate,
)
from services.employment.models import Labourer, Training
from services.employment.registry.client import PersonLookup
from services.employment.registry.eligibility import NO_LABOUR_ABILITY, age_on, household_eligible
from services.employment.settings import EmploymentSettings
from services.employment.shared import check_in_scope, protect_number

NUMBER_FIELD = "body.person_number"


async def register_labourer(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    protector: Protector,
    lookup: PersonLookup,
    data: LabourerCreate,
) -> Labourer:
    number = protect_number(protector, data.person_number, NUMBER_FIELD)
    if await repository.registered(session, number.index):
        raise Conflict(
            "This person is registered as a labourer already.",
            code="labourer_already_registered",
        )
    standing = await lookup(number.index)
    if standing is None:
        raise InvalidInput.for_field(
            NUMBER_FIELD,
            "person_not_found",
            "No active household member with this ID number in your area's registry.",
        )
    if not household_eligible(standing):
        raise InvalidInput.for_field(
            NUMBER_FIELD,
            "labourer_not_eligible",
            "Labourers are members of exited-poverty or monitored households; this household "
            f"is {standing.household_kind} with monitoring status {standing.monitoring_status}.",
        )
    age = age_on(standing.birth_date, business_today())
    if not settings.working_age_min <= age <= settings.working_age_max:
        raise InvalidInput.for_field(
            NUMBER_FIELD,
            "labourer_age",
            f"Labourers are {settings.working_age_min} to {settings.working_age_max} years old; "
            f"this person is {age}.",
        )
    if standing.labour_ability in NO_LABOUR_ABILITY:
        raise InvalidInput.for_field(
            NUMBER_FIELD,
            "labourer_no_labour_ability",
            "The registry records this person as unable to work.",
        )
    check_in_scope(principal, standing.area_code, NUMBER_FIELD)
    labourer = Labourer(
        id=uuid.uuid4(),
        area_code=standing.area_code,
        member_id=standing.member_id,
        household_id=standing.household_id,
        person_number_index=number.index,
        person_number_masked=number.masked,
        name=data.name,
        sex=number.parsed.sex,
        birth_date=standing.birth_date,
        household_kind=standing.household_kind,
        monitoring_status=standing.monitoring_status,
        labour_ability=standing.labour_ability,
        skills=data.skills,
        certificates=data.certificates,
        version=1,
    )
    session.add(labourer)
    await session.flush()
    await f.bump(session, [(labourer.area_code, f.ALL_YEARS, f.LABOURERS, 1)])
    await written(session, principal, labourer, "create")
    return labourer


async def update_labourer(
    session: AsyncSession,
    principal: Principal,
    labourer_id: uuid.UUID,
    data: LabourerUpdate,
    version: int,
) -> Labourer:
    labourer = await get_labourer(session, principal, labourer_id, for_update=True)
    check_version(
        version, labourer.version, LabourerRead.model_validate(labourer).model_dump(mode="json")
    )
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise InvalidInput.for_field(f"body.{name}", "not_null", f"{name} cannot be null")
        setattr(labourer, name, value)
    labourer.version += 1
    await session.flush()
    await written(session, principal, labourer, "update", sorted(changes))
    return labourer


async def add_training(
    session: AsyncSession, principal: Principal, labourer_id: uuid.UUID, data: TrainingCreate
) -> Training:
    labourer = await get_labourer(session, principal, labourer_id)
    if data.ended_on is not None and data.ended_on < data.started_on:
        raise InvalidInput.for_field(
            "body.ended_on", "dates_in_order", "A course ends on or after the day it starts."
        )
    training = Training(
        id=uuid.uuid4(),
        labourer_id=labourer.id,
        area_code=labourer.area_code,
        version=1,
        **data.model_dump(),
    )
    session.add(training)
    await session.flush()
    await record_write(
        session,
        principal,
        entity="training",
        entity_id=str(training.id),
        area_code=training.area_code,
        version=training.version,
        action="create",
    )
    return training


async def get_labourer(
    session: AsyncSession, principal: Principal, labourer_id: uuid.UUID, *, for_update: bool = False
) -> Labourer:
    labourer = await repository.get_labourer(session, principal, labourer_id, for_update=for_update)
    if labourer is None:
        raise NotFound(f"No labourer {labourer_id}.")
    return labourer


async def written(
    session: AsyncSession,
    principal: Principal,
    labourer: Labourer,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity="labourer",
        entity_id=str(labourer.id),
        area_code=labourer.area_code,
        version=labourer.version,
        action=action,
        fields=fields,
    )
