"""`/households` and `/members`: the registry (农户台账)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.dependencies import require_scope
from services.common.auth.principal import Principal
from services.common.auth.roles import Scope
from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.monitoring.access import Reader, Registrar
from services.monitoring.codes.book import code_book
from services.monitoring.households import head, members, service
from services.monitoring.households.listing import HouseholdFilters, list_households
from services.monitoring.households.schemas import (
    HeadChange,
    HouseholdCreate,
    HouseholdRead,
    HouseholdSummary,
    HouseholdUpdate,
    MemberCreate,
    MemberLeave,
    MemberMoveRead,
    MemberMoveRequest,
    MemberRead,
    MemberUpdate,
    PersonNumberRevealed,
)
from services.monitoring.models import Household, Member, MemberMove

router = UnitOfWorkRouter(tags=["households"])
Revealer = Annotated[Principal, Depends(require_scope(Scope.PERSONAL_DATA_REVEAL))]


async def _current(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, response: Response
) -> HouseholdRead:
    """The household as it is now, with its members and its ETag."""
    household, people = await service.read_household(session, principal, household_id)
    set_etag(response, household.version)
    return _read(household, people)


def _read(household: Household, people: list[Member]) -> HouseholdRead:
    return HouseholdRead.model_validate(household).model_copy(
        update={"members": [MemberRead.model_validate(member) for member in people]}
    )


@router.post(
    "/households",
    status_code=201,
    response_model=HouseholdRead,
    summary="Register a household (新增农户)",
)
async def create_household(
    data: HouseholdCreate,
    request: Request,
    session: SessionDep,
    principal: Registrar,
    response: Response,
) -> HouseholdRead:
    book = await code_book(request, session)
    household = await service.create_household(
        session, principal, book, request.app.state.protector, data
    )
    household, people = await service.read_household(session, principal, household.id)
    set_etag(response, household.version)
    response.headers["Location"] = f"/api/v1/households/{household.id}"
    return _read(household, people)


@router.get(
    "/households",
    response_model=Page[HouseholdSummary],
    summary="List and search households (农户查询)",
)
async def get_households(
    request: Request,
    session: SessionDep,
    principal: Reader,
    filters: Annotated[HouseholdFilters, Query()],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[HouseholdSummary]:
    after = decode_cursor(cursor, (str, str, uuid.UUID))
    rows = await list_households(
        session, principal, request.app.state.protector, filters, after=after, limit=limit + 1
    )
    items, next_cursor = page_of(rows, limit, lambda h: [h.area_code, h.head_name, str(h.id)])
    return Page[HouseholdSummary](
        items=[HouseholdSummary.model_validate(h) for h in items], next_cursor=next_cursor
    )


@router.get(
    "/households/{household_id}", response_model=HouseholdRead, summary="One household (农户详情)"
)
async def get_household(
    household_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> HouseholdRead:
    return await _current(session, principal, household_id, response)


@router.patch(
    "/households/{household_id}",
    response_model=HouseholdRead,
    summary="Change a household (修改农户)",
)
async def update_household(
    household_id: uuid.UUID,
    data: HouseholdUpdate,
    version: IfMatchVersion,
    request: Request,
    session: SessionDep,
    principal: Registrar,
    response: Response,
) -> HouseholdRead:
    await service.update_household(
        session, principal, request.app.state.protector, household_id, data, version
    )
    return await _current(session, principal, household_id, response)


@router.post(
    "/households/{household_id}/head",
    response_model=HouseholdRead,
    summary="Change the head of household (变更户主)",
    description="Another active member becomes the head (户主) and the former head takes the "
    "relationship given (e.g. `spouse`), in one transaction; send `If-Match` with the "
    "household's version. A head who died (户主死亡) then leaves through "
    "`POST /members/{id}/leave` like any member. Errors: 404 `member_not_in_household`, 409 "
    "`member_inactive` or `member_already_head`, 422 on `body.former_head_relationship` "
    "(`code_unknown`, or `one_head` when it is `head`), 412 with the current household.",
)
async def change_head(
    household_id: uuid.UUID,
    data: HeadChange,
    version: IfMatchVersion,
    request: Request,
    session: SessionDep,
    principal: Registrar,
    response: Response,
) -> HouseholdRead:
    book = await code_book(request, session)
    await head.change_head(session, principal, book, household_id, data, version)
    return await _current(session, principal, household_id, response)


@router.get(
    "/households/{household_id}/member-moves",
    response_model=Page[MemberMoveRead],
    summary="Members who moved into or out of a household (成员迁入迁出记录), newest first",
    description="Each move (分户、合户、迁入迁出) with the member (ID number masked), its "
    "direction seen from this household, the other household, the reason, when and by whom. "
    "The read is audited.",
)
async def list_member_moves(
    household_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[MemberMoveRead]:
    after = decode_cursor(cursor, (int,))
    rows = await members.moves_of_household(
        session, principal, household_id, after=after[0] if after else None, limit=limit + 1
    )
    items, next_cursor = page_of(rows, limit, lambda row: [row[0].id])
    return Page[MemberMoveRead](
        items=[_move(row, household_id) for row in items], next_cursor=next_cursor
    )


def _move(row: Row[MemberMove, str, str], household_id: uuid.UUID) -> MemberMoveRead:
    move, name, masked_number = row
    return MemberMoveRead(
        id=move.id,
        member_id=move.member_id,
        name=name,
        person_number=masked_number,
        direction="out" if move.from_household_id == household_id else "in",
        from_household_id=move.from_household_id,
        to_household_id=move.to_household_id,
        reason=move.reason,
        moved_at=move.moved_at,
        moved_by=move.moved_by,
    )


@router.post(
    "/households/{household_id}/members",
    status_code=201,
    response_model=MemberRead,
    summary="Add a member (新增家庭成员)",
)
async def add_member(
    household_id: uuid.UUID,
    data: MemberCreate,
    request: Request,
    session: SessionDep,
    principal: Registrar,
    response: Response,
) -> MemberRead:
    book = await code_book(request, session)
    member = await members.add_member(
        session, principal, book, request.app.state.protector, household_id, data
    )
    set_etag(response, member.version)
    return MemberRead.model_validate(member)


@router.get("/members/{member_id}", response_model=MemberRead, summary="One member (成员详情)")
async def get_member(
    member_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> MemberRead:
    member = await members.get_member(session, principal, member_id)
    await record_audit(
        session,
        principal,
        action="read",
        entity="member",
        entity_id=str(member.id),
        area_code=member.area_code,
    )
    set_etag(response, member.version)
    return MemberRead.model_validate(member)


@router.patch(
    "/members/{member_id}", response_model=MemberRead, summary="Change a member (修改成员)"
)
async def update_member(
    member_id: uuid.UUID,
    data: MemberUpdate,
    version: IfMatchVersion,
    request: Request,
    session: SessionDep,
    principal: Registrar,
    response: Response,
) -> MemberRead:
    book = await code_book(request, session)
    member = await members.update_member(session, principal, book, member_id, data, version)
    set_etag(response, member.version)
    return MemberRead.model_validate(member)


@router.post(
    "/members/{member_id}/leave", response_model=MemberRead, summary="A member leaves (成员减少)"
)
async def leave(
    member_id: uuid.UUID,
    data: MemberLeave,
    request: Request,
    session: SessionDep,
    principal: Registrar,
) -> MemberRead:
    book = await code_book(request, session)
    return MemberRead.model_validate(await members.leave(session, principal, book, member_id, data))


@router.post(
    "/members/{member_id}/move", response_model=MemberRead, summary="Move a member (成员迁移)"
)
async def move(
    member_id: uuid.UUID,
    data: MemberMoveRequest,
    request: Request,
    session: SessionDep,
    principal: Registrar,
) -> MemberRead:
    book = await code_book(request, session)
    return MemberRead.model_validate(await members.move(session, principal, book, member_id, data))


@router.get(
    "/members/{member_id}/person-number",
    response_model=PersonNumberRevealed,
    summary="Reveal a full ID number (查看完整证件号码): needs the reveal scope, audited",
)
async def reveal(
    member_id: uuid.UUID, request: Request, session: SessionDep, principal: Revealer
) -> PersonNumberRevealed:
    number = await members.reveal_person_number(
        session, principal, request.app.state.protector, member_id
    )
    return PersonNumberRevealed(member_id=member_id, person_number=number)
