import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.funds.models.base import MONEY, Base, Versioned
from services.funds.vocabulary import ProjectCategory, ProjectStatus, sql_in


class Project(Versioned, Base):
    """A project in the library (项目库): proposed by a village, reviewed by the township,
    decided by the county, then started, completed and accepted (验收), or cancelled."""

    __tablename__ = "projects"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)  # the place
    county_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    year: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    responsible_unit: Mapped[str] = mapped_column(String(200), nullable=False)
    planned_start: Mapped[date] = mapped_column(Date, nullable=False)
    planned_end: Mapped[date] = mapped_column(Date, nullable=False)
    planned_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    beneficiary_households: Mapped[int] = mapped_column(Integer, nullable=False)
    beneficiary_people: Mapped[int] = mapped_column(Integer, nullable=False)
    benefit_mechanisms: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), nullable=False, default=list, server_default=text("'{}'")
    )
    performance_targets: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    proposed_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        CheckConstraint(f"category IN ({sql_in(ProjectCategory)})", name="category_known"),
        CheckConstraint(f"status IN ({sql_in(ProjectStatus)})", name="status_known"),
        CheckConstraint("planned_amount >= 0", name="planned_amount_not_negative"),
        CheckConstraint(
            "beneficiary_households >= 0 AND beneficiary_people >= 0",
            name="beneficiaries_not_negative",
        ),
        CheckConstraint("planned_end >= planned_start", name="schedule_ordered"),
        Index("ix_projects_area_code_status", "area_code", "status"),
        Index("ix_projects_county_code_year", "county_code", "year"),
    )


class ProjectTransition(Base):
    """One step of a project's life: who moved it from which status to which, and when."""

    __tablename__ = "project_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    actor_role: Mapped[str] = mapped_column(String(32), nullable=False)
    acted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    effective_on: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_project_transitions_project_id", "project_id"),)
