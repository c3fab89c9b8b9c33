import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.employment.models.base import Base, Money, Versioned


class Subsidy(Versioned, Base):
    """A subsidy paid to a person: the one-time transport subsidy for out-of-province work
    (外出务工交通补贴) or the vocational-study subsidy (雨露计划). At most one of each kind per
    person and year, enforced by a unique constraint."""

    __tablename__ = "subsidies"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    year: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    person_number_index: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    person_number_masked: Mapped[str] = mapped_column(String(22), nullable=False)
    person_name: Mapped[str] = mapped_column(String(50), nullable=False)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    labourer_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("labourers.id"), nullable=True
    )
    school: Mapped[str | None] = mapped_column(String(100), nullable=True)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False)

    __table_args__ = (
        UniqueConstraint("kind", "person_number_index", "year"),
        CheckConstraint("kind IN ('transport', 'study')", name="kind"),
        Index("ix_subsidies_area_code_year_id", "area_code", "year", "id"),
    )
