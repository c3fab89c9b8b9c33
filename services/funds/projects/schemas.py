"""Requests and answers of `/projects`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from services.funds.amounts import Amount, MoneyOut
from services.funds.models import Project, ProjectTransition
from services.funds.projects.lifecycle import ProjectAction, allowed_actions
from services.funds.schemas import AreaCode, Line, StrictModel, Text, Year
from services.funds.vocabulary import BenefitMechanism, ProjectCategory, ProjectStatus


def _number_text(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError('the target value must be a decimal string, e.g. "120" or "3.5"')
    return str(value)


TargetValue = Annotated[
    Decimal,
    BeforeValidator(_number_text),
    Field(max_digits=18, decimal_places=4),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,4})?$"}),
]


class PerformanceTarget(StrictModel):
    """One performance target (绩效目标), e.g. {"indicator": "带动脱贫户增收", "target_value":
    "1500", "unit": "元/户"}."""

    indicator: Annotated[Line, Field(max_length=100)]
    target_value: TargetValue
    unit: Annotated[Line, Field(max_length=20)]


class ProjectCreate(StrictModel):
    """A project proposed into the library (项目入库申报)."""

    name: Annotated[Line, Field(max_length=200)]
    category: ProjectCategory = Field(
        description="产业 industry, 就业 employment, 基础设施 infrastructure, 其他 other"
    )
    area_code: AreaCode = Field(description="The place: a village, a township or a county")
    year: Year = Field(description="Project year (项目年度)")
    responsible_unit: Annotated[Line, Field(max_length=200, description="责任单位")]
    planned_start: date
    planned_end: date
    planned_amount: Amount = Field(description="计划投资 in yuan")
    beneficiary_households: int = Field(ge=0, le=10_000_000, description="受益户数")
    beneficiary_people: int = Field(ge=0, le=100_000_000, description="受益人数")
    benefit_mechanisms: list[BenefitMechanism] = Field(
        default_factory=list, max_length=len(BenefitMechanism), description="联农带农机制"
    )
    performance_targets: list[PerformanceTarget] = Field(default_factory=list, max_length=30)
    description: Annotated[Text, Field(max_length=4000)] | None = None


class TransitionRequest(StrictModel):
    """One step of the project's life, with If-Match. `note` is required to reject or cancel."""

    action: ProjectAction
    effective_on: date | None = Field(
        None, description="When it happened (e.g. the start date); today when left out"
    )
    note: Annotated[Text, Field(max_length=2000)] | None = None


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    from_status: str | None
    to_status: str
    actor: str
    actor_role: str
    acted_at: datetime
    effective_on: date
    note: str | None


class ProjectSummary(BaseModel):
    id: uuid.UUID
    name: str
    category: ProjectCategory
    area_code: str
    year: int
    status: ProjectStatus
    planned_amount: MoneyOut
    version: int

    @classmethod
    def of(cls, project: Project) -> ProjectSummary:
        return cls(
            id=project.id,
            name=project.name,
            category=ProjectCategory(project.category),
            area_code=project.area_code,
            year=project.year,
            status=ProjectStatus(project.status),
            planned_amount=project.planned_amount,
            version=project.version,
        )


class ProjectRead(ProjectSummary):
    responsible_unit: str
    planned_start: date
    planned_end: date
    beneficiary_households: int
    beneficiary_people: int
    benefit_mechanisms: list[BenefitMechanism]
    performance_targets: list[dict[str, Any]]
    description: str | None
    proposed_by: str
    linked: MoneyOut = Field(description="Net funds linked to the project (已对接)")
    paid: MoneyOut = Field(description="Net payments to the project (已支付)")
    next_actions: list[ProjectAction]
    transitions: list[TransitionRead]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def detail(
        cls,
        project: Project,
        transitions: list[ProjectTransition],
        linked: Decimal,
        paid: Decimal,
    ) -> ProjectRead:
        return cls(
            **ProjectSummary.of(project).model_dump(),
            responsible_unit=project.responsible_unit,
            planned_start=project.planned_start,
            planned_end=project.planned_end,
            beneficiary_households=project.beneficiary_households,
            beneficiary_people=project.beneficiary_people,
            benefit_mechanisms=[BenefitMechanism(code) for code in project.benefit_mechanisms],
            performance_targets=project.performance_targets,
            description=project.description,
            proposed_by=project.proposed_by,
            linked=linked,
            paid=paid,
            next_actions=allowed_actions(project.status),
            transitions=[TransitionRead.model_validate(row) for row in transitions],
            created_at=project.created_at,
            updated_at=project.updated_at,
        )
