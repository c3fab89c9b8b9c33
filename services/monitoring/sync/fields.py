"""Where a rule's field is in a pushed operation.

The service rules name the fields of the REST request they were written for (`body.reason`).
In a batch the same value sits inside the operation: `body.area_code` of a new household is
`operations.3.household.area_code`, a changed field `body.phone` of an update is
`operations.3.changes.phone.value`. A device finds the field in its queued operation by the
same path that names a malformed one (`parsing`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.common.errors import FieldProblem

# Where each kind carries its REST body: a member of the operation, or its top level ("").
# The update kinds carry it as `changes`, each value under `value`.
BODY_AT: dict[str, str] = {
    "create_household": "household",
    "update_household": "changes",
    "add_member": "member",
    "update_member": "changes",
    "change_head": "",
    "leave_member": "",
    "move_member": "",
    "record_visit": "visit",
    "case_step": "step",
    "open_case": "case",
    "acknowledge_warning": "",
    "dismiss_warning": "",
    "open_case_from_warning": "case",
}
CHANGES = "changes"


def in_operation(
    index: int, operation: Any, fields: Sequence[FieldProblem] | None
) -> list[FieldProblem] | None:
    """`fields` with each `body` name rewritten to its path in `operation`, the batch's
    `index`th; other names (none of the shared rules uses them) are kept as they are."""
    if not fields:
        return None
    return [
        field.model_copy(update={"field": _path(index, operation, field.field)}) for field in fields
    ]


def _path(index: int, operation: Any, name: str) -> str:
    head, _, rest = name.partition(".")
    if head != "body":
        return name
    at = BODY_AT[operation.kind]
    if at == CHANGES and rest:
        changed, _, inner = rest.partition(".")
        rest = ".".join(part for part in (changed, "value", inner) if part)
    elif not at:
        rest = _as_sent(operation, rest)
    return ".".join(part for part in ("operations", str(index), at, rest) if part)


def _as_sent(operation: Any, name: str) -> str:
    """A server id the operation gave as the `*_ref` of an operation of the batch instead
    (`to_household_id` sent as `to_household_ref`) is named as sent."""
    if name.endswith("_id") and getattr(operation, name, True) is None:
        ref = name.removesuffix("_id") + "_ref"
        if getattr(operation, ref, None) is not None:
            return ref
    return name
