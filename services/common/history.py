"""What every write leaves behind: a change-feed row and an audit row, in the same transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.changes import record_change


async def record_write(
    session: AsyncSession,
    principal: Principal,
    *,
    entity: str,
    entity_id: str,
    area_code: str,
    version: int,
    action: str,
    fields: list[str] | None = None,
) -> None:
    """Feed the change (`create` for action "create", `update` otherwise) and audit the action."""
    await record_change(
        session,
        entity=entity,
        entity_id=entity_id,
        operation="create" if action == "create" else "update",
        area_code=area_code,
        version=version,
    )
    await record_audit(
        session,
        principal,
        action=action,
        entity=entity,
        entity_id=entity_id,
        area_code=area_code,
        details={"fields": fields} if fields else None,
    )
