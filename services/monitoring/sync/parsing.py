"""Operations parsed one by one, so that one malformed item is rejected on its own."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from services.common.errors import FieldProblem, validation_fields
from services.monitoring.sync.operations import AnyOperation
from services.monitoring.sync.schemas import OperationProblem, Outcome

OPERATION: TypeAdapter[AnyOperation] = TypeAdapter(AnyOperation)
UNKNOWN_KIND = {"union_tag_invalid", "union_tag_not_found"}


@dataclass(frozen=True)
class Parsed:
    index: int
    operation: AnyOperation
    digest: bytes


def parse(index: int, raw: Any) -> Parsed | Outcome:
    """The operation, or its rejected outcome naming the fields at fault."""
    try:
        operation = OPERATION.validate_python(raw)
    except ValidationError as exc:
        return rejected_outcome(index, raw, _problem(index, exc))
    return Parsed(index, operation, digest(raw))


def digest(raw: Any) -> bytes:
    """A replay must carry the same operation as the first push (key order aside)."""
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).digest()


def rejected_outcome(index: int, raw: Any, problem: OperationProblem) -> Outcome:
    operation_id, kind = _identity(raw)
    return Outcome(
        index=index, operation_id=operation_id, kind=kind, status="rejected", problem=problem
    )


def _problem(index: int, exc: ValidationError) -> OperationProblem:
    errors = exc.errors()
    if any(error["type"] in UNKNOWN_KIND for error in errors):
        return OperationProblem(
            code="operation_kind_unknown",
            detail="The operation's `kind` is missing or not one this server knows.",
            fields=[
                FieldProblem(
                    field=f"operations.{index}.kind",
                    rule="kind_unknown",
                    message="unknown operation kind",
                )
            ],
        )
    fields = validation_fields(
        [{**error, "loc": ("operations", index, *error["loc"][1:])} for error in errors]
    )
    return OperationProblem(
        code="validation_failed",
        detail="The operation is not valid: " + ", ".join(f.field for f in fields),
        fields=fields,
    )


def _identity(raw: Any) -> tuple[uuid.UUID | None, str | None]:
    if not isinstance(raw, dict):
        return None, None
    try:
        operation_id = uuid.UUID(str(raw.get("operation_id")))
    except ValueError:
        operation_id = None
    kind = raw.get("kind")
    return operation_id, kind if isinstance(kind, str) and len(kind) <= 40 else None
