import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.funds.models.base import MONEY, Base, Versioned
from services.funds.vocabulary import AssetKind, AssetOwner, AssetStatus, sql_in


class Asset(Versioned, Base):
    """An asset a completed project formed (扶贫项目资产), registered to its owner's place."""

    __tablename__ = "assets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)  # the owner's
    county_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    owner_type: Mapped[str] = mapped_column(String(20), nullable=False)
    owner_name: Mapped[str] = mapped_column(String(200), nullable=False)
    value: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    formed_on: Mapped[date] = mapped_column(Date, nullable=False)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    disposed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    disposal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    disposal_method: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(AssetKind)})", name="kind_known"),
        CheckConstraint(f"owner_type IN ({sql_in(AssetOwner)})", name="owner_type_known"),
        CheckConstraint(f"status IN ({sql_in(AssetStatus)})", name="status_known"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint(
            "(status = 'disposed') = (disposed_on IS NOT NULL AND disposal_reason IS NOT NULL)",
            name="disposal_recorded",
        ),
        Index("ix_assets_area_code_kind", "area_code", "kind"),
        Index("ix_assets_project_id", "project_id"),
    )
