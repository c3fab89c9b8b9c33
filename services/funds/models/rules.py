from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Numeric, SmallInteger
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.funds.models.base import Base, Versioned

PERCENT = Numeric(5, 2)


class FundRules(Versioned, Base):
    """What a province demands of its counties' funds in a year, as data (资金考核规则): the
    minimum industry share, the spending milestones and how far below one a county may fall
    before a yellow card turns red."""

    __tablename__ = "fund_rules"

    province_code: Mapped[str] = mapped_column(area_code_type(), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    industry_share_min: Mapped[Decimal] = mapped_column(PERCENT, nullable=False)
    # [{"by": "2026-04-30", "percent": "30.00"}, ...], dates ascending
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    yellow_card_points: Mapped[Decimal] = mapped_column(PERCENT, nullable=False)

    __table_args__ = (
        CheckConstraint("industry_share_min BETWEEN 0 AND 100", name="industry_share_min_percent"),
        CheckConstraint("yellow_card_points BETWEEN 0 AND 100", name="yellow_card_points_percent"),
        CheckConstraint("jsonb_typeof(milestones) = 'array'", name="milestones_array"),
    )
