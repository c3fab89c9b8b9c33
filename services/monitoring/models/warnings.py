import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.monitoring.models.base import Base, Versioned


class WarningRule(Versioned, Base):
    """A warning rule (预警规则) of one province (000000000000: the national default). Its
    `version` is the number of its latest version; every change adds a version row."""

    __tablename__ = "warning_rules"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    province_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    code: Mapped[str] = mapped_column(String(60), nullable=False)
    retired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (
        Index(
            "uq_warning_rules_province_code_code_current",
            "province_code",
            "code",
            unique=True,
            postgresql_where=text("NOT retired"),
        ),
    )


class WarningRuleVersion(Base):
    """One version of a rule, never changed once written: batches name the versions in force
    when they were received and are evaluated with them."""

    __tablename__ = "warning_rule_versions"
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    rule_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("warning_rules.id"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    province_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    code: Mapped[str] = mapped_column(String(60), nullable=False)
    source: Mapped[str] = mapped_column(String(40), nullable=False)
    event_type: Mapped[str] = mapped_column(String(40), nullable=False)
    condition: Mapped[dict[str, object]] = mapped_column(JSONB, nullable=False)
    risk_type: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    retired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )

    __table_args__ = (
        Index("uq_warning_rule_versions_rule_id_version", "rule_id", "version", unique=True),
    )


class DepartmentWarning(Versioned, Base):
    """A department warning (部门预警) on a registered household, or a lead (线索) on a person
    the registry does not hold, for the area the record named. One per household (or person)
    and rule is active (open or acknowledged) at a time; later events attach to it."""

    __tablename__ = "department_warnings"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    # A household of the registry, without a foreign-key check: the check would lock (write)
    # the household's row for every warning a feed writes (monitoring0012).
    household_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    rule_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    rule_code: Mapped[str] = mapped_column(String(60), nullable=False)
    risk_type: Mapped[str] = mapped_column(String(40), nullable=False)
    source: Mapped[str] = mapped_column(String(40), nullable=False)
    event_type: Mapped[str] = mapped_column(String(40), nullable=False)
    person_number_index: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    person_number_cipher: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    person_number_masked: Mapped[str] = mapped_column(String(22), nullable=False)
    person_name: Mapped[str] = mapped_column(String(50), nullable=False)
    state: Mapped[str] = mapped_column(String(12), nullable=False)
    event_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    first_event_on: Mapped[date] = mapped_column(Date, nullable=False)
    last_event_on: Mapped[date] = mapped_column(Date, nullable=False)
    largest_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    dismissal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("cases.id"), nullable=True)

    __table_args__ = (
        CheckConstraint("kind IN ('warning', 'lead')", name="kind"),
        CheckConstraint(
            "state IN ('open', 'acknowledged', 'dismissed', 'converted')", name="state"
        ),
        # A warning is on a household; a lead is on a person the registry does not hold.
        CheckConstraint("(kind = 'warning') = (household_id IS NOT NULL)", name="household"),
        Index("ix_department_warnings_area_code_created_at", "area_code", "created_at", "id"),
        Index(
            "ix_department_warnings_household_id",
            "household_id",
            postgresql_where=text("household_id IS NOT NULL"),
        ),
        Index(
            "uq_department_warnings_household_rule_active",
            "household_id",
            "rule_id",
            unique=True,
            postgresql_where=text("kind = 'warning' AND state IN ('open', 'acknowledged')"),
        ),
        Index(
            "uq_department_warnings_person_rule_active",
            "person_number_index",
            "rule_id",
            unique=True,
            postgresql_where=text("kind = 'lead' AND state IN ('open', 'acknowledged')"),
        ),
    )


class WarningEvent(Base):
    """One department record attached to a warning or lead (预警事件)."""

    __tablename__ = "department_warning_events"

    # The warning's id, without a foreign-key check (monitoring0012, as `household_id`).
    warning_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    record_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    rule_version_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    event_date: Mapped[date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), nullable=True)
    attached_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
