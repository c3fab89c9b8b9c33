from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.monitoring.models.base import Base


class AreaFigure(Base):
    """One exact figure of one village (and year, 0 when not per-year), kept current by the
    same transaction as each write; counties and above are sums over code ranges."""

    __tablename__ = "area_figures"

    area_code: Mapped[str] = mapped_column(area_code_type(), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    metric: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)

    __table_args__ = (
        Index("ix_area_figures_metric_year_area_code", "metric", "year", "area_code"),
    )


class CountyFigure(Base):
    """The village figures summed per county: one row per writer (`slot`: its backend process
    id; 0: folded) so writers never wait on each other; a figure is the sum of its slots.
    Written only by the trigger on `area_figures` and its fold (migrations/county_figures_v1.py),
    never by the application."""

    __tablename__ = "county_figures"

    county_code: Mapped[str] = mapped_column(area_code_type(), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    metric: Mapped[str] = mapped_column(String(60), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)
