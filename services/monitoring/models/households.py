import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.monitoring.models.base import Base, Versioned


class Household(Versioned, Base):
    """A rural household (农户) in one village: exited-poverty (脱贫户) or ordinary, and when
    identified a monitoring object (监测对象) with a category and risk types."""

    __tablename__ = "households"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    household_number: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    head_name: Mapped[str] = mapped_column(String(50), nullable=False)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone_cipher: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    phone_index: Mapped[bytes | None] = mapped_column(LargeBinary(32), nullable=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20), nullable=True)
    monitoring_status: Mapped[str] = mapped_column(String(20), nullable=False, default="none")
    monitoring_category: Mapped[str | None] = mapped_column(String(40), nullable=True)
    risk_types: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), nullable=False, default=list, server_default=text("'{}'")
    )
    identified_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    eliminated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    member_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        # Listing a village's households in name order is the officers' everyday screen.
        Index("ix_households_area_code_head_name_id", "area_code", "head_name", "id"),
        Index("ix_households_area_code_monitoring_status", "area_code", "monitoring_status"),
        Index("ix_households_phone_index", "phone_index"),
    )


class Member(Versioned, Base):
    """A person in a household (家庭成员). The ID number is stored encrypted, with a blind index
    for exact matching and a masked copy for display."""

    __tablename__ = "members"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("households.id"), nullable=False
    )
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    person_number_cipher: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    person_number_index: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    person_number_masked: Mapped[str] = mapped_column(String(22), nullable=False)
    person_number_kind: Mapped[str] = mapped_column(String(30), nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    sex: Mapped[str] = mapped_column(String(10), nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    relationship: Mapped[str] = mapped_column(String(40), nullable=False)
    education: Mapped[str | None] = mapped_column(String(40), nullable=True)
    student_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    health: Mapped[str | None] = mapped_column(String(40), nullable=True)
    labour_ability: Mapped[str | None] = mapped_column(String(40), nullable=True)
    work_place: Mapped[str | None] = mapped_column(String(100), nullable=True)
    work_months: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    medical_insurance: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    pension_insurance: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    minimum_living_allowance: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    extreme_poverty_support: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    left_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)

    __table_args__ = (
        # A person belongs to one household at a time.
        Index(
            "uq_members_person_number_index_active",
            "person_number_index",
            unique=True,
            postgresql_where=text("active"),
        ),
        Index("ix_members_household_id", "household_id"),
        Index("ix_members_area_code_name", "area_code", "name"),
    )


class MemberMove(Base):
    """History of a member moving between households (分户、合户、迁入迁出)."""

    __tablename__ = "member_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("members.id"), nullable=False)
    from_household_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    to_household_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    reason: Mapped[str] = mapped_column(String(200), nullable=False)
    moved_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    moved_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        Index("ix_member_moves_member_id", "member_id"),
        # A household's moves in and out, newest first (成员迁入迁出记录).
        Index("ix_member_moves_from_household_id_id", "from_household_id", "id"),
        Index("ix_member_moves_to_household_id_id", "to_household_id", "id"),
    )
