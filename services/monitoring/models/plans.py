import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.monitoring.models.base import Base, Versioned


class HelpPlan(Versioned, Base):
    """A monitored household's help plan (帮扶计划) with its responsible helper (帮扶责任人)."""

    __tablename__ = "help_plans"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("households.id"), nullable=False, unique=True
    )
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    helper_name: Mapped[str] = mapped_column(String(50), nullable=False)
    helper_unit: Mapped[str | None] = mapped_column(String(100), nullable=True)
    helper_phone_masked: Mapped[str | None] = mapped_column(String(20), nullable=True)
    helper_phone_cipher: Mapped[bytes | None] = mapped_column(nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_help_plans_area_code", "area_code"),)


class HelpMeasure(Versioned, Base):
    """One help measure (帮扶措施) a household receives: each counts as a policy enjoyed."""

    __tablename__ = "help_measures"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("households.id"), nullable=False
    )
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    measure: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), nullable=True)

    __table_args__ = (Index("ix_help_measures_household_id", "household_id"),)
