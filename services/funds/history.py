"""What every funds write leaves behind: the new or changed record in the change feed and the
audit log (as the kit's `record_write` does), plus a feed entry for the original row whose
running total the write moved, so delta sync sees the new total.

Both are constant statements (prepared once per connection), the feed and audit rows of a
write in one statement: every funds write runs them."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.observability import current_request_id

_WRITTEN = text(
    """
WITH feed AS (
    INSERT INTO changes (entity, entity_id, operation, area_code, version)
    VALUES (:entity, :entity_id, :operation, :area_code, :version)
)
INSERT INTO audit_log (actor, actor_role, action, entity, entity_id, area_code, request_id,
                       details)
VALUES (:actor, :actor_role, :action, :entity, :entity_id, :area_code, :request_id, :details)
"""
).bindparams(bindparam("details", type_=JSONB))
_TOTAL_MOVED = text(
    """
INSERT INTO changes (entity, entity_id, operation, area_code, version)
VALUES (:entity, :entity_id, 'update', :area_code, :version)
"""
)


class Recorded(Protocol):
    @property
    def area_code(self) -> str: ...
    @property
    def version(self) -> int: ...


async def written(
    session: AsyncSession,
    principal: Principal,
    entity: str,
    entity_id: object,
    record: Recorded,
    action: str = "create",
    fields: list[str] | None = None,
    before: dict[str, Any] | None = None,
) -> None:
    """Feed the change (`create` for action "create", `update` otherwise) and audit the action,
    with the `fields` it changed and, when given, what they were `before` (JSON values)."""
    details: dict[str, Any] = {"fields": fields} if fields else {}
    if before:
        details["before"] = before
    await session.execute(
        _WRITTEN,
        {
            "entity": entity,
            "entity_id": str(entity_id),
            "operation": "create" if action == "create" else "update",
            "area_code": record.area_code,
            "version": record.version,
            "actor": principal.subject,
            "actor_role": principal.role.value,
            "action": action,
            "request_id": current_request_id(),
            "details": details,
        },
    )


async def total_moved(
    session: AsyncSession, entity: str, entity_id: object, area_code: str, version: int
) -> None:
    """A running total (linked, paid, reversed, refunded) of an original row changed."""
    await session.execute(
        _TOTAL_MOVED,
        {"entity": entity, "entity_id": str(entity_id), "area_code": area_code, "version": version},
    )
