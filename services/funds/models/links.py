import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.funds.models.base import MONEY, Base, Versioned
from services.funds.vocabulary import EntryKind, ProjectCategory, sql_in


class FundLink(Versioned, Base):
    """Part of an allocation given to a project (资金对接). Never edited: a reduction is a
    reversal row naming the original, whose `reversed` total grows. `paid` is the running total
    of payments against it. The allocation's county, year and the project's category are copied
    here so that figures and reports group without joins."""

    __tablename__ = "fund_links"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    allocation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("allocations.id"), nullable=False
    )
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)  # the project's
    county_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    year: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # the allocation's
    category: Mapped[str] = mapped_column(String(20), nullable=False)  # the project's
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default=EntryKind.ORIGINAL)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("fund_links.id"), nullable=True
    )
    linked_on: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    reversed: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    paid: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    # The date of the latest refund of a payment on this link (services/funds/dated_limits/).
    refunded_through: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(f"kind IN ({sql_in(EntryKind)})", name="kind_known"),
        CheckConstraint(f"category IN ({sql_in(ProjectCategory)})", name="category_known"),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_refers"),
        # Paid and reversed never exceed what was linked: the database's own last word on
        # overspending, whatever the application does.
        CheckConstraint(
            "reversed >= 0 AND paid >= 0 AND reversed + paid <= amount", name="totals_within"
        ),
        CheckConstraint(
            "kind = 'original' OR (reversed = 0 AND paid = 0)", name="reversal_has_no_totals"
        ),
        Index("ix_fund_links_project_id", "project_id"),
        Index("ix_fund_links_allocation_id", "allocation_id"),
        Index("ix_fund_links_county_code_year_linked_on", "county_code", "year", "linked_on"),
    )
