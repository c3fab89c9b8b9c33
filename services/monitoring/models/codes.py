from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.monitoring.models.base import Base


class Code(Base):
    """One entry of a code list (代码表): categories, risk types, measures, relationships, ...
    Lists are data, loaded by migrations, with the national code kept beside the label."""

    __tablename__ = "codes"

    list_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_zh: Mapped[str] = mapped_column(String(100), nullable=False)
    label_en: Mapped[str] = mapped_column(String(100), nullable=False)
    national_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    parent_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
