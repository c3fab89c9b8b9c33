"""Every query of allocations, scoped by the caller's area. Running totals move only through
one conditional UPDATE each: the check and the change are one statement, so two requests can
never both pass a check that only one of them may pass."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import scope_bounds
from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.funds.models import Allocation

AllocationKey = tuple[date, uuid.UUID]


@dataclass(frozen=True)
class AllocationFilters:
    year: int | None = None
    level: str | None = None
    kind: str | None = None
    area: str | None = None


async def get_allocation(
    session: AsyncSession, principal: Principal, allocation_id: uuid.UUID
) -> Allocation | None:
    """The allocation if it is in the principal's area (None otherwise, like a missing one)."""
    query = select(Allocation).where(
        Allocation.id == allocation_id, in_scope(Allocation.area_code, principal)
    )
    return await session.scalar(query)


async def list_allocations(
    session: AsyncSession,
    principal: Principal,
    filters: AllocationFilters,
    *,
    after: AllocationKey | None,
    limit: int,
) -> list[Allocation]:
    """Allocations in scope, newest document first."""
    query = select(Allocation).where(in_scope(Allocation.area_code, principal))
    if filters.area is not None:
        query = query.where(Allocation.area_code.between(*scope_bounds(filters.area)))
    if filters.year is not None:
        query = query.where(Allocation.year == filters.year)
    if filters.level is not None:
        query = query.where(Allocation.level == filters.level)
    if filters.kind is not None:
        query = query.where(Allocation.kind == filters.kind)
    if after is not None:
        query = query.where(
            func.row(Allocation.issued_on, Allocation.id) < func.row(after[0], after[1])
        )
    query = query.order_by(Allocation.issued_on.desc(), Allocation.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


async def take_for_link(
    session: AsyncSession, allocation_id: uuid.UUID, amount: Decimal
) -> int | None:
    """Add `amount` to what is linked if that leaves linked + reversed within the allocation;
    the new version, or None when it would not fit."""
    statement = (
        update(Allocation)
        .where(
            Allocation.id == allocation_id,
            Allocation.linked + Allocation.reversed + amount <= Allocation.amount,
        )
        .values(linked=Allocation.linked + amount, version=Allocation.version + 1)
        .returning(Allocation.version)
        .execution_options(synchronize_session=False)
    )
    return await session.scalar(statement)


async def give_back_from_link(
    session: AsyncSession, allocation_id: uuid.UUID, amount: Decimal
) -> int:
    """A link was reduced: `amount` is unlinked again. The new version."""
    statement = (
        update(Allocation)
        .where(Allocation.id == allocation_id)
        .values(linked=Allocation.linked - amount, version=Allocation.version + 1)
        .returning(Allocation.version)
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(statement)).scalar_one())


async def take_for_reversal(
    session: AsyncSession, allocation_id: uuid.UUID, amount: Decimal
) -> int | None:
    """Add `amount` to what is reversed if it is not more than what is still unlinked."""
    statement = (
        update(Allocation)
        .where(
            Allocation.id == allocation_id,
            Allocation.linked + Allocation.reversed + amount <= Allocation.amount,
        )
        .values(reversed=Allocation.reversed + amount, version=Allocation.version + 1)
        .returning(Allocation.version)
        .execution_options(synchronize_session=False)
    )
    return await session.scalar(statement)


async def unlinked_of(session: AsyncSession, allocation_id: uuid.UUID) -> Decimal:
    """What is left to link, as committed now (for the message of a refusal)."""
    query = select(Allocation.amount - Allocation.reversed - Allocation.linked).where(
        Allocation.id == allocation_id
    )
    return Decimal((await session.execute(query)).scalar_one())
