import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
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
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from services.common.tables import area_code_type
from services.monitoring.models.base import Base


class FeedBatch(Base):
    """One batch of records a department pushed (行业部门推送批次): accepted at once, processed
    in the background chunk by chunk, each chunk committed with its checkpoint."""

    __tablename__ = "feed_batches"
    # Read server-set timestamps back with RETURNING, so responses never lazy-load them.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client: Mapped[str] = mapped_column(String(200), nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(200), nullable=False)
    body_sha256: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    # The pushing client's area: the batch's scope, and the bounds of its records' areas.
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    province_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    source: Mapped[str | None] = mapped_column(String(40), nullable=True)
    format: Mapped[str] = mapped_column(String(10), nullable=False)
    csv_header: Mapped[list[str] | None] = mapped_column(ARRAY(String(60)), nullable=True)
    state: Mapped[str] = mapped_column(String(12), nullable=False)
    # The rule versions in force when the batch was received; it is evaluated with these.
    rule_version_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), nullable=False)
    chunks_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    chunks_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    received: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    processed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    valid: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    matched: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    warnings_raised: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    leads_raised: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    events_attached: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rejected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        CheckConstraint("state IN ('queued', 'processing', 'done', 'failed')", name="state"),
        CheckConstraint("format IN ('ndjson', 'json', 'csv')", name="format"),
        # A resent batch (same client, same Idempotency-Key) is the same batch.
        Index("uq_feed_batches_client_idempotency_key", "client", "idempotency_key", unique=True),
        Index("ix_feed_batches_area_code_received_at", "area_code", "received_at", "id"),
        # The worker's queue: batches still to be (or being) processed.
        Index(
            "ix_feed_batches_pending",
            "received_at",
            postgresql_where=text("state IN ('queued', 'processing')"),
        ),
    )


class FeedChunk(Base):
    """The raw records of a batch as received, a few thousand per row, encrypted: staged by
    the upload and deleted in the same transaction as the chunk's results and checkpoint."""

    __tablename__ = "feed_chunks"

    batch_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("feed_batches.id"), primary_key=True
    )
    chunk_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_line: Mapped[int] = mapped_column(Integer, nullable=False)
    line_count: Mapped[int] = mapped_column(Integer, nullable=False)
    payload: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class FeedRecord(Base):
    """One valid record of a department (部门数据): the person's ID number encrypted, blind
    indexed and masked; the details (which may hold diagnoses) encrypted. A record resent by
    any batch is recognised by (source, source_record_id) and changes nothing."""

    __tablename__ = "feed_records"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    line: Mapped[int] = mapped_column(Integer, nullable=False)
    source: Mapped[str] = mapped_column(String(40), nullable=False)
    source_record_id: Mapped[str] = mapped_column(String(100), nullable=False)
    person_number_cipher: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    person_number_index: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    person_number_masked: Mapped[str] = mapped_column(String(22), nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    area_code: Mapped[str] = mapped_column(area_code_type(), nullable=False)
    event_type: Mapped[str] = mapped_column(String(40), nullable=False)
    event_date: Mapped[date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), nullable=True)
    details_cipher: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    household_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )

    __table_args__ = (
        Index("uq_feed_records_source_source_record_id", "source", "source_record_id", unique=True),
    )


class FeedRejection(Base):
    """One record of a batch that was refused, with the field and rule it broke. Holds no
    personal data: the line, the source's record id and the reason."""

    __tablename__ = "feed_rejections"

    batch_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("feed_batches.id"), primary_key=True
    )
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_record_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    field: Mapped[str] = mapped_column(String(60), nullable=False)
    rule: Mapped[str] = mapped_column(String(60), nullable=False)
    message: Mapped[str] = mapped_column(String(300), nullable=False)
