"""The rules of linking funds to projects: same county, an approved or started project, never
more than is left of the allocation; a reduction never more than is linked and unpaid. Each
running total moves in one conditional UPDATE inside the request's transaction."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.errors import Conflict, InvalidInput, NotFound
from services.funds.allocations import repository as allocations
from services.funds.allocations.service import ENTITY as ALLOCATION
from services.funds.dated_limits.service import check_allocation_by_day, check_link_by_day
from services.funds.figures import rollups
from services.funds.history import total_moved, written
from services.funds.links import repository
from services.funds.links.repository import LinkFilters, LinkKey
from services.funds.links.schemas import LinkCreate, LinkReversal
from services.funds.models import FundLink
from services.funds.places import check_not_before, check_not_future
from services.funds.projects import repository as projects
from services.funds.projects.lifecycle import LINKABLE
from services.funds.vocabulary import EntryKind

ENTITY = "fund_link"


async def create_link(session: AsyncSession, principal: Principal, data: LinkCreate) -> FundLink:
    # Lock order: project (shared), then the allocation's row in its conditional update.
    project = await projects.get_project(session, principal, data.project_id, for_share=True)
    if project is None:
        raise NotFound(f"No project {data.project_id}.")
    allocation = await allocations.get_allocation(session, principal, data.allocation_id)
    if allocation is None:
        raise NotFound(f"No allocation {data.allocation_id}.")
    if allocation.kind != EntryKind.ORIGINAL:
        raise InvalidInput.for_field(
            "body.allocation_id",
            "not_an_original",
            "Funds are linked from an allocation, not from a reversal.",
        )
    if project.county_code != allocation.area_code:
        raise InvalidInput.for_field(
            "body.project_id", "other_county", "The project is not in the allocation's county."
        )
    if project.status not in LINKABLE:
        raise Conflict(
            f"Funds are linked to approved or started projects; this one is {project.status}.",
            code="project_not_approved",
            extra={"status": project.status},
        )
    linked_on = data.linked_on or business_today()
    check_not_future(linked_on, "body.linked_on")
    check_not_before(
        linked_on, allocation.issued_on, "body.linked_on", "before_allocation", "the allocation"
    )
    link = FundLink(
        id=uuid.uuid4(),
        allocation_id=allocation.id,
        project_id=project.id,
        area_code=project.area_code,
        county_code=project.county_code,
        year=allocation.year,
        category=project.category,
        amount=data.amount,
        kind=EntryKind.ORIGINAL.value,
        linked_on=linked_on,
        note=data.note,
        created_by=principal.subject,
        version=1,
    )
    session.add(link)
    await session.flush()
    await written(session, principal, ENTITY, link.id, link)
    version = await allocations.take_for_link(session, allocation.id, data.amount)
    if version is None:
        available = await allocations.unlinked_of(session, allocation.id)
        raise Conflict(
            f"Only {available:.2f} of the allocation is left to link.",
            code="link_exceeds_allocation",
            extra={"available": f"{available:.2f}"},
        )
    await check_allocation_by_day(session, allocation.id, linked_on)
    await total_moved(session, ALLOCATION, allocation.id, allocation.area_code, version)
    await _count(session, link, data.amount)
    return link


async def reverse_link(
    session: AsyncSession, principal: Principal, link_id: uuid.UUID, data: LinkReversal
) -> FundLink:
    """Reduce a link (调减): what is linked and unpaid returns to the allocation."""
    original = await get_link(session, principal, link_id)
    if original.kind != EntryKind.ORIGINAL:
        raise Conflict("A reversal cannot itself be reversed.", code="reversal_of_reversal")
    reversed_on = data.reversed_on or business_today()
    check_not_future(reversed_on, "body.reversed_on")
    check_not_before(
        reversed_on, original.linked_on, "body.reversed_on", "before_original", "the link"
    )
    reversal = FundLink(
        id=uuid.uuid4(),
        allocation_id=original.allocation_id,
        project_id=original.project_id,
        area_code=original.area_code,
        county_code=original.county_code,
        year=original.year,
        category=original.category,
        amount=data.amount,
        kind=EntryKind.REVERSAL.value,
        reverses_id=original.id,
        linked_on=reversed_on,
        note=data.reason,
        created_by=principal.subject,
        version=1,
    )
    session.add(reversal)
    await session.flush()
    await written(session, principal, ENTITY, reversal.id, reversal)
    # Lock order: the link, then its allocation.
    version = await repository.take_for_reversal(session, original.id, data.amount)
    if version is None:
        unpaid = await repository.unpaid_of(session, original.id)
        raise Conflict(
            f"Only {unpaid:.2f} of the link is unpaid.",
            code="reversal_exceeds_unpaid_link",
            extra={"unpaid": f"{unpaid:.2f}"},
        )
    await check_link_by_day(session, original.id, reversed_on)
    await total_moved(session, ENTITY, original.id, original.area_code, version)
    allocation_version = await allocations.give_back_from_link(
        session, original.allocation_id, data.amount
    )
    await total_moved(
        session, ALLOCATION, original.allocation_id, original.county_code, allocation_version
    )
    await _count(session, reversal, -data.amount)
    return reversal


async def get_link(session: AsyncSession, principal: Principal, link_id: uuid.UUID) -> FundLink:
    link = await repository.get_link(session, principal, link_id)
    if link is None:
        raise NotFound(f"No fund link {link_id}.")
    return link


async def list_links(
    session: AsyncSession,
    principal: Principal,
    filters: LinkFilters,
    *,
    after: LinkKey | None,
    limit: int,
) -> list[FundLink]:
    return await repository.list_links(session, principal, filters, after=after, limit=limit)


async def _count(session: AsyncSession, link: FundLink, effect: Decimal) -> None:
    await rollups.bump(
        session,
        link.county_code,
        link.year,
        link.allocation_id,
        [(rollups.LINKED, effect), (rollups.by_kind(rollups.LINKED, link.category), effect)],
    )
