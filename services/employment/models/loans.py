import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.employment.models.base import Base, Money, Rate, Versioned


class Loan(Versioned, Base):
    """A microcredit loan (脱贫人口小额信贷) to a household, through one borrower.

    Stored status: `pending_eligibility` (waiting for the monitoring service to confirm the
    household), `outstanding`, `repaid`, `written_off` or `refused`. `overdue` is not stored: it
    is an outstanding loan whose schedule is behind on the day it is read. While pending, the
    household is unknown and the loan carries the applicant's area."""

    __tablename__ = "loans"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    status: Mapped[str] = mapped_column(String(30), nullable=False)
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    household_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    borrower_member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    borrower_index: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    borrower_masked: Mapped[str] = mapped_column(String(22), nullable=False)
    borrower_name: Mapped[str] = mapped_column(String(50), nullable=False)
    borrower_birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    household_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    monitoring_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    bank: Mapped[str] = mapped_column(String(100), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    term_months: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    annual_rate: Mapped[Decimal] = mapped_column(Rate, nullable=False)
    interest_subsidy_rate: Mapped[Decimal] = mapped_column(Rate, nullable=False)
    issue_date: Mapped[date] = mapped_column(Date, nullable=False)
    maturity_date: Mapped[date] = mapped_column(Date, nullable=False)
    original_maturity_date: Mapped[date] = mapped_column(Date, nullable=False)
    principal_repaid: Mapped[Decimal] = mapped_column(Money, nullable=False, default=Decimal(0))
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    renewed_from_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("loans.id"), nullable=True
    )
    pending_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    refusal_rule: Mapped[str | None] = mapped_column(String(60), nullable=True)
    refusal_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    check_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        # At most one outstanding loan per household (一户一贷).
        Index(
            "uq_loans_household_id_outstanding",
            "household_id",
            unique=True,
            postgresql_where=text("status = 'outstanding'"),
        ),
        # One waiting application per borrower.
        Index(
            "uq_loans_borrower_index_pending",
            "borrower_index",
            unique=True,
            postgresql_where=text("status = 'pending_eligibility'"),
        ),
        Index("ix_loans_area_code_status_id", "area_code", "status", "id"),
        Index("ix_loans_household_id", "household_id"),
        # Overdue loans (figures): outstanding loans past maturity.
        Index(
            "ix_loans_maturity_date_outstanding",
            "maturity_date",
            postgresql_include=["area_code", "amount", "principal_repaid"],
            postgresql_where=text("status = 'outstanding'"),
        ),
    )


class LoanInstallment(Base):
    """One due date of a loan's principal schedule (还款计划)."""

    __tablename__ = "loan_installments"

    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("loans.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    principal: Mapped[Decimal] = mapped_column(Money, nullable=False)

    # Overdue loans (figures): only schedules of two or more installments can be behind early.
    __table_args__ = (
        Index("ix_loan_installments_loan_id_second", "loan_id", postgresql_where=text("seq = 2")),
    )


class LoanEvent(Base):
    """What happened to a loan, as such: eligibility confirmed or refused, repayment (还款),
    extension (展期), renewal (续贷), write-off (核销). Append-only."""

    __tablename__ = "loan_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("loans.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    happened_on: Mapped[date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    maturity_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    related_loan_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    note: Mapped[str | None] = mapped_column(String(300), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )

    __table_args__ = (Index("ix_loan_events_loan_id", "loan_id"),)


class NewLoanHousehold(Base):
    """A household that received a new (not renewed) loan in a year: makes the
    households-with-a-new-loan figure a count of distinct households."""

    __tablename__ = "new_loan_households"

    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
