"""What every funds write leaves behind: the new or changed record in the change feed and the
audit log (the kit's `record_write`), plus a feed entry for the original row whose running
total the write moved, so delta sync sees the new total."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.changes import record_change
from services.common.history import record_write


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
) -> None:
    await record_write(
        session,
        principal,
        entity=entity,
        entity_id=str(entity_id),
        area_code=record.area_code,
        version=record.version,
        action=action,
        fields=fields,
    )


async def total_moved(
    session: AsyncSession, entity: str, entity_id: object, area_code: str, version: int
) -> None:
    """A running total (linked, paid, reversed, refunded) of an original row changed."""
    await record_change(
        session,
        entity=entity,
        entity_id=str(entity_id),
        operation="update",
        area_code=area_code,
        version=version,
    )
