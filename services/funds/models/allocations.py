import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.funds.models.base import MONEY, Base, Versioned
from services.funds.vocabulary import EntryKind, FundLevel, sql_in


class Allocation(Versioned, Base):
    """Funds allocated to a county (资金下达) by one level, under one document. Never edited: a
    correction is a reversal row (冲销) naming the original, whose `reversed` total grows.
    `linked` is the running total of what projects have been given from it (资金对接)."""

    __tablename__ = "allocations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)  # the county
    year: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    level: Mapped[str] = mapped_column(String(20), nullable=False)
    document_number: Mapped[str] = mapped_column(String(100), nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default=EntryKind.ORIGINAL)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("allocations.id"), nullable=True
    )
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reversed: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    linked: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(f"level IN ({sql_in(FundLevel)})", name="level_known"),
        CheckConstraint(f"kind IN ({sql_in(EntryKind)})", name="kind_known"),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_refers"),
        # What is linked and reversed never exceeds what was allocated; reversal rows carry
        # no running totals of their own.
        CheckConstraint(
            "reversed >= 0 AND linked >= 0 AND reversed + linked <= amount", name="totals_within"
        ),
        CheckConstraint(
            "kind = 'original' OR (reversed = 0 AND linked = 0)", name="reversal_has_no_totals"
        ),
        Index("ix_allocations_area_code_year_issued_on", "area_code", "year", "issued_on"),
        Index("ix_allocations_issued_on_id", "issued_on", "id"),
        Index("ix_allocations_reverses_id", "reverses_id"),
    )
