"""`/allocations`: funds allocated to counties (资金下达) and their reversals (冲销)."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.common.concurrency import set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, CursorDate, Limit, Page, decode_cursor, page_of
from services.funds.access import Clerk, Reader
from services.funds.allocations import service
from services.funds.allocations.repository import AllocationFilters
from services.funds.allocations.schemas import (
    AllocationCreate,
    AllocationRead,
    AllocationReversal,
)
from services.funds.models import Allocation
from services.funds.schemas import AreaQuery, YearQuery
from services.funds.vocabulary import EntryKind, FundLevel

router = UnitOfWorkRouter(prefix="/allocations", tags=["allocations"])


def _created(response: Response, allocation: Allocation) -> AllocationRead:
    response.headers["Location"] = f"/api/v1/allocations/{allocation.id}"
    set_etag(response, allocation.version)
    return AllocationRead.of(allocation)


@router.post(
    "",
    status_code=201,
    response_model=AllocationRead,
    summary="Record funds allocated to a county (资金下达)",
)
async def create_allocation(
    data: AllocationCreate, session: SessionDep, principal: Clerk, response: Response
) -> AllocationRead:
    return _created(response, await service.create_allocation(session, principal, data))


@router.get("", response_model=Page[AllocationRead], summary="List allocations (资金下达台账)")
async def list_allocations(
    session: SessionDep,
    principal: Reader,
    year: YearQuery = None,
    level: FundLevel | None = None,
    kind: EntryKind | None = None,
    area: AreaQuery = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AllocationRead]:
    after = decode_cursor(cursor, (CursorDate, uuid.UUID))
    rows = await service.list_allocations(
        session,
        principal,
        AllocationFilters(
            year=year,
            level=level.value if level else None,
            kind=kind.value if kind else None,
            area=area,
        ),
        after=(after[0], after[1]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(rows, limit, lambda row: [row.issued_on.isoformat(), row.id])
    return Page[AllocationRead](
        items=[AllocationRead.of(row) for row in items], next_cursor=next_cursor
    )


@router.get(
    "/{allocation_id}",
    response_model=AllocationRead,
    summary="One allocation with what is linked and available (资金下达详情)",
)
async def get_allocation(
    allocation_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> AllocationRead:
    allocation = await service.get_allocation(session, principal, allocation_id)
    set_etag(response, allocation.version)
    return AllocationRead.of(allocation)


@router.post(
    "/{allocation_id}/reversals",
    status_code=201,
    response_model=AllocationRead,
    summary="Reverse part of an allocation that is still unlinked (冲销/收回)",
)
async def reverse_allocation(
    allocation_id: uuid.UUID,
    data: AllocationReversal,
    session: SessionDep,
    principal: Clerk,
    response: Response,
) -> AllocationRead:
    reversal = await service.reverse_allocation(session, principal, allocation_id, data)
    return _created(response, reversal)
