from datetime import datetime

from sqlalchemy import DateTime, Integer, Numeric, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.tables import make_metadata

Money = Numeric(18, 2)
Rate = Numeric(6, 3)


class Base(DeclarativeBase):
    metadata = make_metadata()


class Versioned:
    """Optimistic-concurrency version and timestamps of updatable records."""

    # Read server-set timestamps back with RETURNING, so responses never lazy-load them.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
    )
