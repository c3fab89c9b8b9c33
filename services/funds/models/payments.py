import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.funds.models.base import MONEY, Base, Versioned
from services.funds.vocabulary import EntryKind, sql_in


class Payment(Versioned, Base):
    """A payment against a fund link (支付), with its accounting voucher. Never edited: a refund
    (退款) is a reversal row naming the original payment, whose `refunded` total grows."""

    __tablename__ = "payments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    link_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("fund_links.id"), nullable=False)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)  # the project's
    county_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    year: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # the allocation's
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default=EntryKind.ORIGINAL)
    refunds_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("payments.id"), nullable=True
    )
    voucher_number: Mapped[str] = mapped_column(String(100), nullable=False)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False)
    payee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    refunded: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(f"kind IN ({sql_in(EntryKind)})", name="kind_known"),
        CheckConstraint("(kind = 'reversal') = (refunds_id IS NOT NULL)", name="refund_refers"),
        CheckConstraint("refunded >= 0 AND refunded <= amount", name="refunded_within"),
        CheckConstraint("kind = 'original' OR refunded = 0", name="refund_has_no_totals"),
        Index("ix_payments_link_id", "link_id"),
        Index("ix_payments_project_id_paid_on", "project_id", "paid_on"),
        # The progress report sums a city's payments as of a date from this index alone.
        Index(
            "ix_payments_county_code_year_paid_on",
            "county_code",
            "year",
            "paid_on",
            postgresql_include=["kind", "amount"],
        ),
    )
