import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.employment.models.base import Base, Versioned


class Labourer(Versioned, Base):
    """A working-age member of an exited-poverty or monitored household (脱贫劳动力), found in
    the monitoring service by the blind index of the ID number. The household's kind and status
    are the monitoring service's answer on the day of registration."""

    __tablename__ = "labourers"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    person_number_index: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    person_number_masked: Mapped[str] = mapped_column(String(22), nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    sex: Mapped[str] = mapped_column(String(10), nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    household_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    monitoring_status: Mapped[str] = mapped_column(String(20), nullable=False)
    labour_ability: Mapped[str | None] = mapped_column(String(40), nullable=True)
    skills: Mapped[list[str]] = mapped_column(
        ARRAY(String(60)), nullable=False, default=list, server_default=text("'{}'")
    )
    certificates: Mapped[list[str]] = mapped_column(
        ARRAY(String(100)), nullable=False, default=list, server_default=text("'{}'")
    )

    __table_args__ = (
        # One labourer record per person, country-wide.
        Index("uq_labourers_person_number_index", "person_number_index", unique=True),
        Index("ix_labourers_area_code_name_id", "area_code", "name", "id"),
    )


class Training(Versioned, Base):
    """A training course a labourer took (技能培训)."""

    __tablename__ = "trainings"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    labourer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("labourers.id"), nullable=False)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    course: Mapped[str] = mapped_column(String(100), nullable=False)
    provider: Mapped[str | None] = mapped_column(String(100), nullable=True)
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    certificate: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (Index("ix_trainings_labourer_id", "labourer_id"),)
