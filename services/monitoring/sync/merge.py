"""Field-level merge of an update based on a stale version.

The update applies when its version is current, or when every field it changes still holds,
on the server, the `base` value the officer saw: someone else changed other fields only.
Otherwise it is a conflict carrying the current record.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from services.common.errors import InvalidInput, PreconditionFailed, validation_fields
from services.monitoring.sync.operations import FieldChange

M = TypeVar("M", bound=BaseModel)


def merged_version(
    base_version: int,
    current_version: int,
    current: dict[str, Any],
    changes: dict[str, FieldChange],
) -> int:
    """The version to apply the update at, or 412 naming the fields that moved."""
    if base_version == current_version:
        return base_version
    moved = sorted(name for name, change in changes.items() if current.get(name) != change.base)
    if moved:
        raise PreconditionFailed(
            f"The record is at version {current_version}, not {base_version}, and "
            f"{', '.join(moved)} changed since.",
            extra={"current": current, "conflicting_fields": moved},
        )
    return current_version


def new_values(model: type[M], changes: dict[str, FieldChange]) -> M:
    """The update model holding the new values; 422 naming `body.<field>` otherwise, as the
    REST route would (`sync.fields` names it inside the operation)."""
    try:
        return model.model_validate({name: change.value for name, change in changes.items()})
    except ValidationError as exc:
        fields = validation_fields(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        )
        raise InvalidInput(
            "The changes are not valid: " + ", ".join(f.field for f in fields), fields=fields
        ) from exc
