import uuid
from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.monitoring.models.base import Base, Versioned


class Visit(Versioned, Base):
    """An officer's visit to a household (走访), or the monthly revisit (回访) after risk
    elimination; a revisit that finds the risk back reopens the case."""

    __tablename__ = "visits"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("households.id"), nullable=False
    )
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    visited_on: Mapped[date] = mapped_column(Date, nullable=False)
    officer: Mapped[str] = mapped_column(String(200), nullable=False)
    findings: Mapped[str | None] = mapped_column(Text, nullable=True)
    risk_found: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (Index("ix_visits_household_id_visited_on", "household_id", "visited_on"),)
