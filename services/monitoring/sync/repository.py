"""Every query of field sync: stored outcomes, and the current records behind a feed page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.driver import driver_connection
from services.common.held_rows import append_row
from services.common.scope import in_scope
from services.monitoring.models import Case, DepartmentWarning, Household, Member, SyncOperation

SYNC_OPERATIONS: Table = SyncOperation.__table__  # type: ignore[assignment]


async def serialize_pushes(session: AsyncSession, principal: str) -> None:
    """Until this transaction ends, another push of the same principal waits here: a batch
    resent while the first is still running then finds all its operations stored, instead of
    meeting the first's uncommitted rows (and locks) operation by operation."""
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(f"sync:{principal}", 0)))
    )


@dataclass(frozen=True)
class StoredOperation:
    """An applied operation as `sync_operations` keeps it (or will, at the batch's end)."""

    operation_id: uuid.UUID
    kind: str
    payload_sha256: bytes
    outcome: dict[str, Any]


async def stored_operations(
    session: AsyncSession, principal: str, operation_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, StoredOperation]:
    """The operations of this principal already applied, by id."""
    if not operation_ids:
        return {}
    connection = await driver_connection(session)
    rows = await connection.fetch(STORED_OPERATIONS, principal, set(operation_ids))
    return {row[0]: StoredOperation(*row) for row in rows}


STORED_OPERATIONS = """
SELECT operation_id, kind, payload_sha256, outcome FROM sync_operations
WHERE principal = $1 AND operation_id = ANY($2::uuid[])"""


async def store_operation(
    session: AsyncSession,
    principal: str,
    operation_id: uuid.UUID,
    kind: str,
    digest: bytes,
    outcome: dict[str, Any],
) -> None:
    """In the batch's transaction, held with its audit and change rows when the session holds
    them (a push does): pushes of one principal take turns, so none stores the same id meanwhile."""
    await append_row(
        session,
        SYNC_OPERATIONS,
        {
            "principal": principal,
            "operation_id": operation_id,
            "kind": kind,
            "payload_sha256": digest,
            "outcome": outcome,
        },
    )


async def created_record(
    session: AsyncSession, principal: str, operation_id: uuid.UUID, kind: str
) -> uuid.UUID | None:
    """The id of the record an earlier operation of `kind` by this principal created."""
    connection = await driver_connection(session)
    outcome = await connection.fetchval(CREATED_RECORD, principal, operation_id, kind)
    return None if outcome is None else uuid.UUID(outcome["record_id"])


CREATED_RECORD = """
SELECT outcome FROM sync_operations WHERE principal = $1 AND operation_id = $2 AND kind = $3"""


RecordModel = type[Household] | type[Member] | type[Case] | type[DepartmentWarning]


async def current_records(
    session: AsyncSession, principal: Principal, model: RecordModel, ids: Sequence[uuid.UUID]
) -> list[Any]:
    """The current rows of `ids` still in the principal's area."""
    if not ids:
        return []
    rows = await session.scalars(
        select(model).where(model.id.in_(ids), in_scope(model.area_code, principal))
    )
    return list(rows)
