"""The rules of the project library: who proposes where, and each step of a project's life by
role, area and order, recorded with actor and time. Every write is fed, audited and counted in
the county's figures in the same transaction; services flush, never commit."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.concurrency import check_version
from services.common.errors import Conflict, InvalidInput, NotFound
from services.funds.figures import rollups
from services.funds.history import written
from services.funds.models import Project, ProjectTransition
from services.funds.places import check_not_future, check_project_place, county_of
from services.funds.projects import repository
from services.funds.projects.lifecycle import NOTE_REQUIRED, ProjectAction, next_status
from services.funds.projects.repository import ProjectFilters, ProjectKey
from services.funds.projects.schemas import ProjectCreate, ProjectRead, TransitionRequest
from services.funds.vocabulary import ProjectStatus

ENTITY = "project"
PROPOSE = "propose"


async def propose(session: AsyncSession, principal: Principal, data: ProjectCreate) -> Project:
    """A new project in the library (入库), proposed for a place the caller covers."""
    check_project_place(principal, data.area_code, "body.area_code")
    _check_plan(data)
    project = Project(
        id=uuid.uuid4(),
        area_code=data.area_code,
        county_code=county_of(data.area_code),
        year=data.year,
        name=data.name,
        category=data.category.value,
        responsible_unit=data.responsible_unit,
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        planned_amount=data.planned_amount,
        beneficiary_households=data.beneficiary_households,
        beneficiary_people=data.beneficiary_people,
        benefit_mechanisms=[code.value for code in data.benefit_mechanisms],
        performance_targets=[target.model_dump(mode="json") for target in data.performance_targets],
        description=data.description,
        status=ProjectStatus.PROPOSED.value,
        proposed_by=principal.subject,
        version=1,
    )
    session.add(project)
    await session.flush()
    await _record(session, principal, project, PROPOSE, None, business_today(), None)
    await written(session, principal, ENTITY, project.id, project)
    await _count(session, project, None, project.status)
    return project


async def transition(
    session: AsyncSession,
    principal: Principal,
    project_id: uuid.UUID,
    data: TransitionRequest,
    version: int,
) -> Project:
    """Take one step of the project's life (审核、审定、开工、完工、验收、取消)."""
    project = await repository.get_project(session, principal, project_id, for_update=True)
    if project is None:
        raise NotFound(f"No project {project_id}.")
    check_version(version, project.version, await _current(session, project))
    target = next_status(data.action, project.status, principal.role, project.area_code)
    if data.action in NOTE_REQUIRED and not data.note:
        raise InvalidInput.for_field(
            "body.note", "note_required", f"Say why when you {data.action.value} a project."
        )
    effective_on = data.effective_on or business_today()
    check_not_future(effective_on, "body.effective_on")
    if data.action == ProjectAction.CANCEL:
        _, _, unspent = await repository.money_of(session, project.id)
        if unspent > 0:
            raise Conflict(
                f"{unspent:.2f} linked to the project is not paid; reduce its links "
                "(资金对接调减) before cancelling it.",
                code="project_holds_linked_funds",
                extra={"unspent": f"{unspent:.2f}"},
            )
    before = project.status
    project.status = target.value
    project.version += 1
    await session.flush()
    await _record(session, principal, project, data.action.value, before, effective_on, data.note)
    await written(session, principal, ENTITY, project.id, project, data.action.value, ["status"])
    await _count(session, project, before, project.status)
    return project


async def read_project(
    session: AsyncSession, principal: Principal, project_id: uuid.UUID
) -> ProjectRead:
    project = await repository.get_project(session, principal, project_id)
    if project is None:
        raise NotFound(f"No project {project_id}.")
    return await _detail(session, project)


async def list_projects(
    session: AsyncSession,
    principal: Principal,
    filters: ProjectFilters,
    *,
    after: ProjectKey | None,
    limit: int,
) -> list[Project]:
    return await repository.list_projects(session, principal, filters, after=after, limit=limit)


def _check_plan(data: ProjectCreate) -> None:
    if data.planned_end < data.planned_start:
        raise InvalidInput.for_field(
            "body.planned_end", "before_start", "planned_end must not be before planned_start."
        )
    if data.beneficiary_people < data.beneficiary_households:
        raise InvalidInput.for_field(
            "body.beneficiary_people",
            "fewer_people_than_households",
            "Every beneficiary household has at least one person.",
        )
    if len(set(data.benefit_mechanisms)) != len(data.benefit_mechanisms):
        raise InvalidInput.for_field(
            "body.benefit_mechanisms", "duplicate_code", "Each mechanism is named once."
        )


async def _detail(session: AsyncSession, project: Project) -> ProjectRead:
    transitions = await repository.transitions_of(session, project.id)
    linked, paid, _ = await repository.money_of(session, project.id)
    return ProjectRead.detail(project, transitions, linked, paid)


async def _current(session: AsyncSession, project: Project) -> dict[str, object]:
    return (await _detail(session, project)).model_dump(mode="json")


async def _record(
    session: AsyncSession,
    principal: Principal,
    project: Project,
    action: str,
    before: str | None,
    effective_on: date,
    note: str | None,
) -> None:
    session.add(
        ProjectTransition(
            project_id=project.id,
            action=action,
            from_status=before,
            to_status=project.status,
            actor=principal.subject,
            actor_role=principal.role.value,
            effective_on=effective_on,
            note=note,
        )
    )
    await session.flush()


async def _count(session: AsyncSession, project: Project, before: str | None, after: str) -> None:
    changes: list[tuple[str, Decimal | int]] = [(rollups.by_kind(rollups.PROJECTS, after), 1)]
    if before is not None:
        changes.append((rollups.by_kind(rollups.PROJECTS, before), -1))
    await rollups.bump(session, project.county_code, project.year, project.id, changes)
