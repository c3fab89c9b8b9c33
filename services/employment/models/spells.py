import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.employment.models.base import Base, Money, Versioned


class EmploymentSpell(Versioned, Base):
    """One job of a labourer (就业): employer, place class, dates, monthly wage and kind. A
    public-welfare post (公益性岗位) or assistance workshop (帮扶车间) job names its post or
    workshop. The area is the labourer's village, so figures count where people live."""

    __tablename__ = "employment_spells"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    labourer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("labourers.id"), nullable=False)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    employer: Mapped[str] = mapped_column(String(200), nullable=False)
    place_class: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    monthly_wage: Mapped[Decimal] = mapped_column(Money, nullable=False)
    post_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("public_welfare_posts.id"), nullable=True
    )
    workshop_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("assistance_workshops.id"), nullable=True
    )

    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
        CheckConstraint(
            "place_class IN ('in_county', 'in_province', 'out_of_province')", name="place_class"
        ),
        CheckConstraint(
            "kind IN ('enterprise', 'public_welfare_post', 'assistance_workshop', 'self_employed')",
            name="kind",
        ),
        CheckConstraint("(kind = 'public_welfare_post') = (post_id IS NOT NULL)", name="post"),
        CheckConstraint(
            "(kind = 'assistance_workshop') = (workshop_id IS NOT NULL)", name="workshop"
        ),
        Index("ix_employment_spells_labourer_id", "labourer_id"),
        Index(
            "ix_employment_spells_post_id",
            "post_id",
            postgresql_where=text("post_id IS NOT NULL"),
        ),
        Index(
            "ix_employment_spells_workshop_id",
            "workshop_id",
            postgresql_where=text("workshop_id IS NOT NULL"),
        ),
        # Open jobs carried into later years (see spells/yearly.py).
        Index(
            "ix_employment_spells_open_area_code",
            "area_code",
            "start_date",
            postgresql_where=text("end_date IS NULL"),
        ),
    )


class LabourerYear(Base):
    """A labourer's work in one calendar year, derived from the spells by the employed-in-year
    rule (spells/yearly.py) in the same transaction as each spell write. Derived rows written
    in bulk, so no foreign key: the spells it comes from carry that check."""

    __tablename__ = "labourer_years"

    labourer_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    worked_days: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    days_in_county: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    days_in_province: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    days_out_of_province: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    employed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    place_class: Mapped[str | None] = mapped_column(String(20), nullable=True)
