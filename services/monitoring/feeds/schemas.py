"""Answers of `/feed-batches`, and the record a department sends (for the OpenAPI document)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

BatchState = Literal["queued", "processing", "done", "failed"]


class FeedRecordIn(BaseModel):
    """One record of a batch: a JSON object (a line of NDJSON, an element of a JSON array) or a
    CSV row under a header naming these fields. Unknown fields are ignored."""

    record_id: str = Field(max_length=100, description="The department's own record id")
    source: str | None = Field(
        None, description="feed_source code; may be left out when the batch names ?source="
    )
    person_number: str = Field(description="ID number (身份证号) or disability certificate")
    name: str = Field(max_length=50)
    area_code: str = Field(description="Village (or most precise area) of the person")
    event_type: str = Field(description="feed_event_type code of the source (事件类型)")
    event_date: date
    amount: str | None = Field(
        None, description='Yuan, e.g. "12000.00" (out-of-pocket cost, loss, ...) where relevant'
    )
    details: dict[str, Any] | None = Field(
        None, description="Anything else (e.g. diagnosis); shown only with personal_data:reveal"
    )


class BatchRead(BaseModel):
    """A batch and its progress (批次进度)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    state: BatchState
    source: str | None
    format: str
    area_code: str = Field(description="The pushing client's area")
    received: int = Field(description="Records received (non-blank lines or rows)")
    processed: int = Field(description="Records processed so far")
    valid: int = Field(description="Records that passed every check")
    duplicates: int = Field(description="Valid records already received before (ignored)")
    matched: int = Field(description="New records whose person is in the registry")
    warnings_raised: int = Field(description="New warnings on registered households (预警)")
    leads_raised: int = Field(description="New leads for unregistered people (线索)")
    events_attached: int = Field(description="Records attached to warnings or leads")
    rejected: int = Field(description="Records refused; see the rejections")
    chunks_total: int
    chunks_done: int
    rule_version_ids: list[int] = Field(description="The rule versions the batch is evaluated with")
    attempts: int
    error: str | None
    received_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RejectionRead(BaseModel):
    """One refused record: the line (NDJSON), row (CSV, header not counted) or element (JSON
    array), the department's record id when it could be read, the field and rule broken."""

    model_config = ConfigDict(from_attributes=True)

    line: int
    source_record_id: str | None
    field: str
    rule: str
    message: str
