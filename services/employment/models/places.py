import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Index, SmallInteger, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.employment.models.base import Base, Money, Versioned


class PublicWelfarePost(Versioned, Base):
    """A public-welfare post (公益性岗位): local work for people who cannot leave, paid at most
    the local minimum wage; each holder's contract is an employment spell of at most a year."""

    __tablename__ = "public_welfare_posts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    duty: Mapped[str | None] = mapped_column(String(100), nullable=True)
    managing_unit: Mapped[str] = mapped_column(String(100), nullable=False)
    monthly_pay: Mapped[Decimal] = mapped_column(Money, nullable=False)
    positions: Mapped[int] = mapped_column(SmallInteger, nullable=False)

    __table_args__ = (
        Index("ix_public_welfare_posts_area_code_name_id", "area_code", "name", "id"),
    )


class AssistanceWorkshop(Versioned, Base):
    """An assistance workshop (帮扶车间): a local workshop that qualifies while it employs at
    least a set number of exited-poverty workers."""

    __tablename__ = "assistance_workshops"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    operator: Mapped[str] = mapped_column(String(100), nullable=False)
    industry: Mapped[str | None] = mapped_column(String(100), nullable=True)
    opened_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (
        Index("ix_assistance_workshops_area_code_name_id", "area_code", "name", "id"),
    )
