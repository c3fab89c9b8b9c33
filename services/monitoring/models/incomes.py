import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, SmallInteger, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.monitoring.models.base import Base, Versioned

Money = Numeric(18, 2)


class HouseholdIncome(Versioned, Base):
    """A household's income over one year (年度收入), the basis of per-capita net income."""

    __tablename__ = "household_incomes"

    household_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("households.id"), primary_key=True
    )
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    wages: Mapped[Decimal] = mapped_column(Money, nullable=False)
    business_net: Mapped[Decimal] = mapped_column(Money, nullable=False)
    property_income: Mapped[Decimal] = mapped_column(Money, nullable=False)
    transfers: Mapped[Decimal] = mapped_column(Money, nullable=False)
    compliant_costs: Mapped[Decimal] = mapped_column(Money, nullable=False)
    members_counted: Mapped[int] = mapped_column(Integer, nullable=False)
    per_capita_net: Mapped[Decimal] = mapped_column(Money, nullable=False)


class MonitoringLine(Versioned, Base):
    """The monitoring line (监测标准): per-capita net income per year, set by each province."""

    __tablename__ = "monitoring_lines"

    province_code: Mapped[str] = mapped_column(String(12, collation="C"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
