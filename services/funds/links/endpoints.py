"""`/fund-links`: funds linked to projects (资金对接) and reductions of links (调减)."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.common.concurrency import set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, CursorDate, Limit, Page, decode_cursor, page_of
from services.funds.access import Clerk, Reader
from services.funds.links import service
from services.funds.links.repository import LinkFilters
from services.funds.links.schemas import LinkCreate, LinkRead, LinkReversal
from services.funds.models import FundLink
from services.funds.vocabulary import EntryKind

router = UnitOfWorkRouter(prefix="/fund-links", tags=["fund links"])


def _created(response: Response, link: FundLink) -> LinkRead:
    response.headers["Location"] = f"/api/v1/fund-links/{link.id}"
    set_etag(response, link.version)
    return LinkRead.of(link)


@router.post(
    "",
    status_code=201,
    response_model=LinkRead,
    summary="Link part of an allocation to a project (资金对接)",
)
async def create_link(
    data: LinkCreate, session: SessionDep, principal: Clerk, response: Response
) -> LinkRead:
    return _created(response, await service.create_link(session, principal, data))


@router.get("", response_model=Page[LinkRead], summary="List fund links (资金对接台账)")
async def list_links(
    session: SessionDep,
    principal: Reader,
    project_id: uuid.UUID | None = None,
    allocation_id: uuid.UUID | None = None,
    kind: EntryKind | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[LinkRead]:
    after = decode_cursor(cursor, (CursorDate, uuid.UUID))
    rows = await service.list_links(
        session,
        principal,
        LinkFilters(
            project_id=project_id,
            allocation_id=allocation_id,
            kind=kind.value if kind else None,
        ),
        after=(after[0], after[1]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(rows, limit, lambda row: [row.linked_on.isoformat(), row.id])
    return Page[LinkRead](items=[LinkRead.of(row) for row in items], next_cursor=next_cursor)


@router.get(
    "/{link_id}",
    response_model=LinkRead,
    summary="One fund link with what is paid and unpaid (资金对接详情)",
)
async def get_link(
    link_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> LinkRead:
    link = await service.get_link(session, principal, link_id)
    set_etag(response, link.version)
    return LinkRead.of(link)


@router.post(
    "/{link_id}/reversals",
    status_code=201,
    response_model=LinkRead,
    summary="Reduce a link by what is still unpaid (资金对接调减)",
)
async def reverse_link(
    link_id: uuid.UUID,
    data: LinkReversal,
    session: SessionDep,
    principal: Clerk,
    response: Response,
) -> LinkRead:
    return _created(response, await service.reverse_link(session, principal, link_id, data))
