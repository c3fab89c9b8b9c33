from decimal import Decimal

from sqlalchemy import Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.funds.models.base import MONEY, Base


class FundFigure(Base):
    """One slot of one exact figure of one county and year (0: not per year), kept current by
    the same transaction as each write. A figure is the sum of its slots: spreading a county's
    counter over a few rows (slots 1 to 16) lets payments on different links commit without
    queueing on one row; the app folds them into slot 0 (see figures/rollups.py)."""

    __tablename__ = "fund_figures"

    county_code: Mapped[str] = mapped_column(area_code_type(), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    metric: Mapped[str] = mapped_column(String(60), primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    # Yuan or a count, exact either way.
    value: Mapped[Decimal] = mapped_column(MONEY, nullable=False)

    __table_args__ = (Index("ix_fund_figures_year_county_code", "year", "county_code"),)
