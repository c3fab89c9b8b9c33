"""The append-only audit log: who did or saw what, on which record, when, in which request.

The application's database role may only INSERT and SELECT on `audit_log` (the migrations
grant it so, and a trigger refuses UPDATE and DELETE for everyone), so a compromised app cannot
rewrite history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.held_rows import append_row
from services.common.observability import current_request_id
from services.common.tables import audit_log


async def record_audit(
    session: AsyncSession,
    principal: Principal,
    *,
    action: str,
    entity: str,
    entity_id: str,
    area_code: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit row in the caller's transaction (held back when the session holds
    its rows, see `services.common.held_rows`)."""
    await append_row(
        session,
        audit_log,
        {
            "actor": principal.subject,
            "actor_role": principal.role.value,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "area_code": area_code,
            "request_id": current_request_id(),
            "details": details or {},
        },
    )
