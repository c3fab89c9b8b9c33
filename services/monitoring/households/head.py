"""The rules of changing a household's head (变更户主): the head died or left, or the household
re-forms around another member. The former head stays a member with the relationship the
officer gives, so that a death or a departure is then recorded through `leave` or `move` like
any other member's. Nothing here moves the figures: they count households and people, not who
heads them."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.errors import Conflict, InvalidInput, NotFound
from services.monitoring.codes.book import CodeBook
from services.monitoring.households import repository, rows
from services.monitoring.households.schemas import HeadChange
from services.monitoring.households.service import (
    check_household_version,
    get_household,
    member_written,
    written,
)
from services.monitoring.models import Household

HEAD = "head"
FORMER_HEAD_FIELD = "body.former_head_relationship"


async def version_with_head(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    base_version: int,
    head_member_id: uuid.UUID,
) -> int:
    """The household's version to change its head at, for an officer who saw it at
    `base_version` headed by `head_member_id`: its current version when that member is still
    the head (other changes since do not touch the head), `base_version` otherwise (which
    `change_head` then refuses with the current household)."""
    household = await get_household(session, principal, household_id, for_update=True)
    if household.version == base_version:
        return base_version
    heads = await repository.active_heads(session, principal, household_id)
    return household.version if heads == [head_member_id] else base_version


async def change_head(
    session: AsyncSession,
    principal: Principal,
    book: CodeBook,
    household_id: uuid.UUID,
    data: HeadChange,
    version: int,
) -> Household:
    """Make an active member of the household its head and give the former head the
    relationship `data.former_head_relationship`, at the household's `version`."""
    # The household before its members: the order every writer locks in (members.py).
    household = await get_household(session, principal, household_id, for_update=True)
    people = await repository.lock_for_head_change(session, principal, household_id, data.member_id)
    await check_household_version(session, household, version)
    book.check("relationship", data.former_head_relationship, FORMER_HEAD_FIELD)
    if data.former_head_relationship == HEAD:
        raise InvalidInput.for_field(
            FORMER_HEAD_FIELD,
            "one_head",
            "A household has one head: give what the former head is to the new head.",
        )
    new_head = next((person for person in people if person.id == data.member_id), None)
    if new_head is None:
        raise NotFound(
            f"No member {data.member_id} in this household.", code="member_not_in_household"
        )
    if not new_head.active:
        raise Conflict("The member has left the household.", code="member_inactive")
    if new_head.relationship == HEAD:
        raise Conflict("The member is already the head.", code="member_already_head")
    former_heads = [person for person in people if person is not new_head]
    for person in former_heads:
        person.relationship = data.former_head_relationship
        person.version += 1
    new_head.relationship = HEAD
    new_head.version += 1
    await session.flush()
    await rows.save_household(session, household, {"head_name": new_head.name})
    await written(session, principal, household, "change_head", ["head_name"])
    for person in [*former_heads, new_head]:
        await member_written(session, principal, person, "change_head", ["relationship"])
    return household
