"""The push request and the per-operation outcomes; the pull page."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.common.errors import FieldProblem

OutcomeStatus = Literal["applied", "already_applied", "conflict", "rejected"]


class PushRequest(BaseModel):
    """A batch of queued operations, oldest first. Items are parsed one by one, so a malformed
    one is rejected on its own (see `AnyOperation` in the README for the kinds)."""

    operations: list[Any] = Field(
        min_length=1, max_length=500, description="Operations, each with `kind` and `operation_id`"
    )


class OperationProblem(BaseModel):
    code: str = Field(description="Stable machine code, e.g. `not_found`, `validation_failed`")
    detail: str
    fields: list[FieldProblem] | None = None
    retryable: bool = Field(
        False, description="Nothing was stored: sending the same operation later may apply it"
    )


class Outcome(BaseModel):
    """What became of one operation (操作结果)."""

    index: int = Field(description="Position of the operation in the pushed batch")
    operation_id: uuid.UUID | None
    kind: str | None
    status: OutcomeStatus
    entity: str | None = Field(None, description="applied: household, member, visit, case, warning")
    record_id: uuid.UUID | None = None
    version: int | None = None
    related: dict[str, Any] | None = Field(
        None, description="applied: other records written, e.g. the case a revisit reopened"
    )
    current: dict[str, Any] | None = Field(None, description="conflict: the server's record")
    conflicting_fields: list[str] | None = Field(
        None, description="conflict: changed fields whose server value moved from `base`"
    )
    problem: OperationProblem | None = Field(None, description="rejected: why")


class PushResponse(BaseModel):
    outcomes: list[Outcome]


class PulledRecord(BaseModel):
    """The latest state of one changed record; `record` is null when it left your area."""

    entity: Literal["household", "member", "case", "warning"]
    id: uuid.UUID
    version: int | None
    record: dict[str, Any] | None


class PullPage(BaseModel):
    items: list[PulledRecord]
    code_lists: dict[str, list[dict[str, Any]]] | None = Field(
        None, description="All code lists (代码表), on the first pull (no cursor) only"
    )
    next_cursor: str = Field(description="Pull again with it; always set")
    has_more: bool
