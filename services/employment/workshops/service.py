"""The rules of assistance workshops. A workshop qualifies (认定) while it employs at least
`EMPLOYMENT_WORKSHOP_MIN_EXITED_POVERTY_WORKERS` (5) workers from exited-poverty households,
counted today from the employment spells that name it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.concurrency import check_version
from services.common.errors import InvalidInput, NotFound
from services.common.history import record_write
from services.employment.figures import rollups as f
from services.employment.models import AssistanceWorkshop
from services.employment.settings import EmploymentSettings
from services.employment.shared import check_local_area
from services.employment.workshops import repository
from services.employment.workshops.schemas import WorkshopCreate, WorkshopRead, WorkshopUpdate


def qualifies(settings: EmploymentSettings, exited_poverty_workers: int) -> bool:
    return exited_poverty_workers >= settings.workshop_min_exited_poverty_workers


async def create_workshop(
    session: AsyncSession, principal: Principal, data: WorkshopCreate
) -> AssistanceWorkshop:
    check_local_area(principal, data.area_code, "body.area_code")
    workshop = AssistanceWorkshop(id=uuid.uuid4(), version=1, **data.model_dump())
    session.add(workshop)
    await session.flush()
    await f.bump(session, [(workshop.area_code, f.ALL_YEARS, f.WORKSHOPS, 1)])
    await written(session, principal, workshop, "create")
    return workshop


async def update_workshop(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    workshop_id: uuid.UUID,
    data: WorkshopUpdate,
    version: int,
) -> AssistanceWorkshop:
    workshop = await get_workshop(session, principal, workshop_id, for_update=True)
    current = await read(session, settings, workshop)
    check_version(version, workshop.version, current.model_dump(mode="json"))
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "operator"):
        if name in changes and changes[name] is None:
            raise InvalidInput.for_field(f"body.{name}", "not_null", f"{name} cannot be null")
    for name, value in changes.items():
        setattr(workshop, name, value)
    workshop.version += 1
    await session.flush()
    await written(session, principal, workshop, "update", sorted(changes))
    return workshop


async def get_workshop(
    session: AsyncSession,
    principal: Principal,
    workshop_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> AssistanceWorkshop:
    workshop = await repository.get_workshop(session, principal, workshop_id, for_update=for_update)
    if workshop is None:
        raise NotFound(f"No assistance workshop {workshop_id}.")
    return workshop


async def read(
    session: AsyncSession, settings: EmploymentSettings, workshop: AssistanceWorkshop
) -> WorkshopRead:
    return (await read_many(session, settings, [workshop]))[0]


async def read_many(
    session: AsyncSession, settings: EmploymentSettings, workshops: list[AssistanceWorkshop]
) -> list[WorkshopRead]:
    workers = await repository.workers_on(
        session, [workshop.id for workshop in workshops], business_today()
    )
    answers = []
    for workshop in workshops:
        total, exited = workers.get(workshop.id, (0, 0))
        answers.append(
            WorkshopRead(
                id=workshop.id,
                area_code=workshop.area_code,
                name=workshop.name,
                operator=workshop.operator,
                industry=workshop.industry,
                opened_on=workshop.opened_on,
                workers=total,
                exited_poverty_workers=exited,
                qualifying=qualifies(settings, exited),
                required_exited_poverty_workers=settings.workshop_min_exited_poverty_workers,
                version=workshop.version,
                created_at=workshop.created_at,
                updated_at=workshop.updated_at,
            )
        )
    return answers


async def written(
    session: AsyncSession,
    principal: Principal,
    workshop: AssistanceWorkshop,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity="assistance_workshop",
        entity_id=str(workshop.id),
        area_code=workshop.area_code,
        version=workshop.version,
        action=action,
        fields=fields,
    )
