from sqlalchemy import Integer, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.employment.models.base import Base, Versioned


class EmploymentTarget(Versioned, Base):
    """A county's yearly employment target from the province (就业目标任务): how many
    labourers should be employed in the year."""

    __tablename__ = "employment_targets"

    county_code: Mapped[str] = mapped_column(area_code_type(), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    target: Mapped[int] = mapped_column(Integer, nullable=False)
