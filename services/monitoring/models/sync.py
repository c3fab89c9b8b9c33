import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, LargeBinary, String, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.monitoring.models.base import Base


class SyncOperation(Base):
    """An operation a field device pushed and the server applied (移动端同步操作), kept so that
    the same operation id pushed again answers its stored outcome instead of applying twice.
    Written in the same transaction as the operation's own writes."""

    __tablename__ = "sync_operations"

    principal: Mapped[str] = mapped_column(String(200), primary_key=True)
    operation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    payload_sha256: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    outcome: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    applied_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
