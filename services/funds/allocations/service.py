"""The rules of allocations: recorded once, corrected only by reversals that take back what is
still unlinked. Every write is fed, audited and counted in the county's figures in the same
transaction; services flush, the request's unit of work commits."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.errors import Conflict, NotFound
from services.funds.allocations import repository
from services.funds.allocations.repository import AllocationFilters, AllocationKey
from services.funds.allocations.schemas import AllocationCreate, AllocationReversal
from services.funds.dated_limits.service import check_allocation_by_day
from services.funds.figures import rollups
from services.funds.history import total_moved, written
from services.funds.models import Allocation
from services.funds.places import check_county, check_not_before, check_not_future
from services.funds.vocabulary import EntryKind

ENTITY = "allocation"


async def create_allocation(
    session: AsyncSession, principal: Principal, data: AllocationCreate
) -> Allocation:
    check_county(principal, data.area_code, "body.area_code")
    check_not_future(data.issued_on, "body.issued_on")
    allocation = Allocation(
        id=uuid.uuid4(),
        area_code=data.area_code,
        year=data.year,
        level=data.level.value,
        document_number=data.document_number,
        issued_on=data.issued_on,
        title=data.title,
        amount=data.amount,
        kind=EntryKind.ORIGINAL.value,
        created_by=principal.subject,
        version=1,
    )
    session.add(allocation)
    await session.flush()
    await written(session, principal, ENTITY, allocation.id, allocation)
    await _count(session, allocation, sign=1)
    return allocation


async def reverse_allocation(
    session: AsyncSession,
    principal: Principal,
    allocation_id: uuid.UUID,
    data: AllocationReversal,
) -> Allocation:
    """Take back part of an allocation that no project holds yet (冲销)."""
    original = await get_allocation(session, principal, allocation_id)
    if original.kind != EntryKind.ORIGINAL:
        raise Conflict("A reversal cannot itself be reversed.", code="reversal_of_reversal")
    check_not_future(data.issued_on, "body.issued_on")
    check_not_before(
        data.issued_on, original.issued_on, "body.issued_on", "before_original", "the original"
    )
    reversal = Allocation(
        id=uuid.uuid4(),
        area_code=original.area_code,
        year=original.year,
        level=original.level,
        document_number=data.document_number,
        issued_on=data.issued_on,
        title=original.title,
        amount=data.amount,
        kind=EntryKind.REVERSAL.value,
        reverses_id=original.id,
        reason=data.reason,
        created_by=principal.subject,
        version=1,
    )
    session.add(reversal)
    await session.flush()
    await written(session, principal, ENTITY, reversal.id, reversal)
    version = await repository.take_for_reversal(session, original.id, data.amount)
    if version is None:
        unlinked = await repository.unlinked_of(session, original.id)
        raise Conflict(
            f"Only {unlinked:.2f} of the allocation is not linked to projects; reduce the links "
            "first (资金对接调减).",
            code="reversal_exceeds_unlinked",
            extra={"unlinked": f"{unlinked:.2f}"},
        )
    await check_allocation_by_day(session, original.id, data.issued_on)
    await total_moved(session, ENTITY, original.id, original.area_code, version)
    await _count(session, reversal, sign=-1, slot_record=original.id)
    return reversal


async def get_allocation(
    session: AsyncSession, principal: Principal, allocation_id: uuid.UUID
) -> Allocation:
    allocation = await repository.get_allocation(session, principal, allocation_id)
    if allocation is None:
        raise NotFound(f"No allocation {allocation_id}.")
    return allocation


async def list_allocations(
    session: AsyncSession,
    principal: Principal,
    filters: AllocationFilters,
    *,
    after: AllocationKey | None,
    limit: int,
) -> list[Allocation]:
    return await repository.list_allocations(session, principal, filters, after=after, limit=limit)


async def _count(
    session: AsyncSession,
    row: Allocation,
    *,
    sign: int,
    slot_record: uuid.UUID | None = None,
) -> None:
    effect = sign * row.amount
    await rollups.bump(
        session,
        row.area_code,
        row.year,
        slot_record or row.id,
        [(rollups.ALLOCATED, effect), (rollups.by_kind(rollups.ALLOCATED, row.level), effect)],
    )
