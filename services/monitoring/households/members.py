"""The rules of changing a household's members: add, correct, leave, move; reading the moves
into and out of a household; and revealing a member's full ID number (audited). The head
changes through `head.change_head` only."""

from __future__ import annotations

import uuid

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.concurrency import check_version
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.personal_data import Protector
from services.monitoring.codes.book import CodeBook
from services.monitoring.figures.contribution import HouseholdState
from services.monitoring.households import people, repository, rows
from services.monitoring.households.schemas import (
    MemberCreate,
    MemberLeave,
    MemberMoveRequest,
    MemberRead,
    MemberUpdate,
)
from services.monitoring.households.service import (
    audited_household,
    get_household,
    locked_household,
    member_written,
    new_member,
    written,
)
from services.monitoring.models import Household, Member, MemberMove

CHANGE_HEAD = "change the head through POST /households/{id}/head (变更户主)"
MOVED_MEANWHILE_TRIES = 3


async def add_member(
    session: AsyncSession,
    principal: Principal,
    book: CodeBook,
    protector: Protector,
    household_id: uuid.UUID,
    data: MemberCreate,
) -> Member:
    household = await locked_household(session, principal, household_id)
    number = people.protect_number(protector, data.person_number, "body.person_number")
    people.check_member_codes(book, data, "body")
    if data.relationship == "head":
        raise InvalidInput.for_field(
            "body.relationship", "one_head", f"The household already has a head; {CHANGE_HEAD}."
        )
    await people.check_not_registered(session, [number], ["body.person_number"])
    member = new_member(household, data.model_dump(exclude={"person_number"}), number)
    await rows.insert_records(session, [member])
    await _resize(session, principal, household, +1)
    await member_written(session, principal, member, "create")
    return member


async def update_member(
    session: AsyncSession,
    principal: Principal,
    book: CodeBook,
    member_id: uuid.UUID,
    data: MemberUpdate,
    version: int,
    *,
    locked: Member | None = None,
) -> Member:
    """Correct a member at `version`; `locked`: the member as `lock_member_for_update` gave it
    to a caller that read it first (field sync's merge), so it is not locked twice."""
    member = locked or await lock_member_for_update(session, principal, member_id, data)
    check_version(
        version, member.version, MemberRead.model_validate(member).model_dump(mode="json")
    )
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "relationship"):
        if name in changes and changes[name] is None:
            raise InvalidInput.for_field(f"body.{name}", "not_null", f"{name} cannot be null")
    people.check_member_codes(book, data, "body")
    if changes.get("relationship") == "head" and member.relationship != "head":
        raise InvalidInput.for_field(
            "body.relationship", "one_head", f"The household already has a head; {CHANGE_HEAD}."
        )
    if (
        "relationship" in changes
        and member.relationship == "head"
        and changes["relationship"] != "head"
    ):
        raise InvalidInput.for_field(
            "body.relationship",
            "one_head",
            f"The head stays head until another member is made head; {CHANGE_HEAD}.",
        )
    for name, value in changes.items():
        setattr(member, name, value)
    member.version += 1
    await session.flush()
    if member.relationship == "head" and "name" in changes:
        household = await get_household(session, principal, member.household_id, for_update=True)
        household.head_name = member.name
        household.version += 1
        await written(session, principal, household, "update", ["head_name"])
    await member_written(session, principal, member, "update", sorted(changes))
    return member


async def leave(
    session: AsyncSession,
    principal: Principal,
    book: CodeBook,
    member_id: uuid.UUID,
    data: MemberLeave,
) -> Member:
    member, locked = await _locked_member(session, principal, member_id)
    book.check("member_left_reason", data.reason, "body.reason")
    if not member.active:
        raise Conflict("The member has already left the household.", code="member_inactive")
    if member.relationship == "head":
        raise Conflict(f"The head cannot leave; {CHANGE_HEAD} first.", code="head_cannot_leave")
    household = locked[member.household_id]
    assert household is not None  # the member's own, in the same area
    member.active = False
    member.left_on = data.left_on
    member.left_reason = data.reason
    member.version += 1
    await _resize(session, principal, household, -1)
    await member_written(session, principal, member, "leave")
    return member


async def move(
    session: AsyncSession,
    principal: Principal,
    book: CodeBook,
    member_id: uuid.UUID,
    data: MemberMoveRequest,
) -> Member:
    """Move an active member to another household in the caller's area, keeping history."""
    member, locked = await _locked_member(session, principal, member_id, data.to_household_id)
    book.check("relationship", data.relationship, "body.relationship")
    if not member.active:
        raise Conflict("The member has left the registry.", code="member_inactive")
    if member.relationship == "head":
        raise Conflict(f"The head cannot move; {CHANGE_HEAD} first.", code="head_cannot_leave")
    if data.relationship == "head":
        raise InvalidInput.for_field(
            "body.relationship", "one_head", "The target household already has a head."
        )
    if data.to_household_id == member.household_id:
        raise InvalidInput.for_field(
            "body.to_household_id", "same_household", "The member is already there."
        )
    source, target = locked[member.household_id], locked[data.to_household_id]
    if target is None:
        raise InvalidInput.for_field(
            "body.to_household_id", "household_unknown", "No such household in your area."
        )
    assert source is not None
    session.add(
        MemberMove(
            member_id=member.id,
            from_household_id=source.id,
            to_household_id=target.id,
            reason=data.reason,
            moved_by=principal.subject,
        )
    )
    member.household_id = target.id
    member.area_code = target.area_code
    member.relationship = data.relationship
    member.version += 1
    await _resize(session, principal, source, -1)
    await _resize(session, principal, target, +1)
    await member_written(session, principal, member, "move", ["household_id", "relationship"])
    return member


async def moves_of_household(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    *,
    after: int | None,
    limit: int,
) -> list[Row[MemberMove, str, str]]:
    """Who moved into and out of the household, newest first (the read is audited)."""
    household = await audited_household(session, principal, household_id, view="member_moves")
    return await repository.moves_touching(
        session, principal, household.id, after=after, limit=limit
    )


async def reveal_person_number(
    session: AsyncSession, principal: Principal, protector: Protector, member_id: uuid.UUID
) -> str:
    member = await get_member(session, principal, member_id)
    await record_audit(
        session,
        principal,
        action="reveal_person_number",
        entity="member",
        entity_id=str(member.id),
        area_code=member.area_code,
    )
    return protector.reveal_person_number(member.person_number_cipher)


async def lock_member_for_update(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID, data: MemberUpdate
) -> Member:
    """The member locked for a correction. A new name may be the head's, which the household
    shows too (`head_name`): its household is then locked first (`_locked_member`)."""
    if "name" in data.model_fields_set:
        member, _ = await _locked_member(session, principal, member_id)
        return member
    return await get_member(session, principal, member_id, for_update=True)


async def _locked_member(
    session: AsyncSession,
    principal: Principal,
    member_id: uuid.UUID,
    other_household_id: uuid.UUID | None = None,
) -> tuple[Member, dict[uuid.UUID, Household | None]]:
    """The member locked `FOR UPDATE` after its household (and `other_household_id`, None
    when not in the caller's area), households in id order: the order every writer takes (a
    change of head, a field-sync batch), so that none waits holding what another waits for.
    A member moved away between the look-up and the locks is looked up again (its former
    household stays locked, so the second try may lock out of id order: a deadlock then, with
    a move between the same two households at that moment, answers 409 and is retried)."""
    for _ in range(MOVED_MEANWHILE_TRIES):
        household_id = await repository.household_of_member(session, principal, member_id)
        if household_id is None:
            raise NotFound(f"No member {member_id}.")
        ids = sorted({household_id, other_household_id or household_id})
        locked = {
            i: await repository.get_household(session, principal, i, for_update=True) for i in ids
        }
        member = await get_member(session, principal, member_id, for_update=True)
        if member.household_id == household_id:
            return member, locked
    raise Conflict(
        "The member kept moving between households; send it again.", code="write_conflict"
    )


async def get_member(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID, *, for_update: bool = False
) -> Member:
    member = await repository.get_member(session, principal, member_id, for_update=for_update)
    if member is None:
        raise NotFound(f"No member {member_id}.")
    return member


async def _resize(
    session: AsyncSession, principal: Principal, household: Household, delta: int
) -> None:
    before = HouseholdState.of(household)
    await rows.save_household(session, household, {"member_count": household.member_count + delta})
    await rows.record_state_change(session, before, HouseholdState.of(household))
    await written(session, principal, household, "update", ["member_count"])
