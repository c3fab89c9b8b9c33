import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, Uuid, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.monitoring.models.base import Base, Versioned


class Case(Versioned, Base):
    """One run of a procedure on a household: identification (识别纳入) or risk elimination
    (风险消除), moving village -> township -> county, step by step."""

    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("households.id"), nullable=False
    )
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    procedure: Mapped[str] = mapped_column(String(20), nullable=False)
    source: Mapped[str | None] = mapped_column(String(30), nullable=True)
    source_reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    elimination_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    state: Mapped[str] = mapped_column(String(30), nullable=False)
    proposed_category: Mapped[str | None] = mapped_column(String(40), nullable=True)
    proposed_risk_types: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), nullable=False, default=list, server_default=text("'{}'")
    )
    opened_by: Mapped[str] = mapped_column(String(200), nullable=False)
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    deadline_on: Mapped[date] = mapped_column(Date, nullable=False)
    notice_started_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)

    __table_args__ = (
        Index("ix_cases_area_code_state", "area_code", "state"),
        Index("ix_cases_household_id", "household_id"),
        # At most one open case of each procedure per household.
        Index(
            "uq_cases_household_id_procedure_open",
            "household_id",
            "procedure",
            unique=True,
            postgresql_where=text("closed_on IS NULL"),
        ),
        # Overdue = open and past its deadline: counted at read time from this index.
        Index(
            "ix_cases_open_deadline",
            "area_code",
            "deadline_on",
            postgresql_where=text("closed_on IS NULL"),
        ),
    )


class CaseStep(Base):
    """What one person did at one step of a case, when, and what was found."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cases.id"), nullable=False)
    step: Mapped[str] = mapped_column(String(30), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    actor_role: Mapped[str] = mapped_column(String(32), nullable=False)
    acted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    findings: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict[str, object]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )

    __table_args__ = (Index("ix_case_steps_case_id", "case_id"),)
