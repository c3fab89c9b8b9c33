from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models.base import Base, Versioned
from services.common.tables import area_code_type


class Area(Versioned, Base):
    """A statistical division (行政区划) or a custom reporting unit such as a demonstration zone
    (示范区). Codes are never deleted: a dissolved unit keeps its code for old records."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(area_code_type(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    parent_code: Mapped[str | None] = mapped_column(
        area_code_type(), ForeignKey("areas.code"), nullable=True
    )
    custom: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    dissolved_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (
        CheckConstraint("code ~ '^[0-9]{12}$'", name="code_digits"),
        CheckConstraint(
            "level IN ('province', 'city', 'county', 'township', 'village')", name="level_known"
        ),
        Index("ix_areas_parent_code", "parent_code"),
        Index("ix_areas_name", "name"),
    )
