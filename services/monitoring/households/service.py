"""The rules of the household registry. Every write keeps the figures exact, feeds the
change feed and is audited; every read of a person's record is audited."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import AreaLevel, level_of
from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.concurrency import check_version
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.history import record_write
from services.common.personal_data import Protector
from services.monitoring.codes.book import CodeBook
from services.monitoring.figures.contribution import HouseholdState
from services.monitoring.households import people, repository, rows
from services.monitoring.households.schemas import HouseholdCreate, HouseholdRead, HouseholdUpdate
from services.monitoring.models import Household, Member


async def create_household(
    session: AsyncSession,
    principal: Principal,
    book: CodeBook,
    protector: Protector,
    data: HouseholdCreate,
) -> Household:
    check_village(principal, data.area_code, "body.area_code")
    heads = [m for m in data.members if m.relationship == "head"]
    if len(heads) != 1:
        raise InvalidInput.for_field(
            "body.members", "one_head", "A household has exactly one head (relationship `head`)."
        )
    fields = [f"body.members.{i}.person_number" for i in range(len(data.members))]
    numbers = [
        people.protect_number(protector, member.person_number, field)
        for member, field in zip(data.members, fields, strict=True)
    ]
    for i, member in enumerate(data.members):
        people.check_member_codes(book, member, f"body.members.{i}")
    phone = people.protect_phone(protector, data.phone, "body.phone")
    await people.check_not_registered(session, numbers, fields)
    if data.household_number and await repository.household_number_taken(
        session, data.household_number
    ):
        raise Conflict(
            f"The household number {data.household_number} is taken.", code="household_number_taken"
        )
    household = rows.transient(
        Household,
        {
            "id": uuid.uuid4(),
            "area_code": data.area_code,
            "household_number": data.household_number,
            "kind": data.kind,
            "head_name": heads[0].name,
            "address": data.address,
            "phone_cipher": phone.cipher if phone else None,
            "phone_index": phone.index if phone else None,
            "phone_masked": phone.masked if phone else None,
            "monitoring_status": "none",
            "risk_types": [],
            "member_count": len(data.members),
            "version": 1,
        },
    )
    await rows.insert_records(session, [household])
    members = [
        new_member(household, fields.model_dump(exclude={"person_number"}), number)
        for fields, number in zip(data.members, numbers, strict=True)
    ]
    await rows.insert_records(session, members)
    await rows.record_state_change(session, None, HouseholdState.of(household))
    await written(session, principal, household, "create")
    for person in members:
        await member_written(session, principal, person, "create")
    return household


def new_member(
    household: Household, fields: dict[str, Any], number: people.ProtectedPersonNumber
) -> Member:
    return rows.transient(
        Member,
        dict(
            id=uuid.uuid4(),
            household_id=household.id,
            area_code=household.area_code,
            person_number_cipher=number.cipher,
            person_number_index=number.index,
            person_number_masked=number.masked,
            person_number_kind=number.parsed.kind,
            sex=number.parsed.sex,
            birth_date=number.parsed.birth_date,
            active=True,
            version=1,
            **fields,
        ),
    )


async def read_household(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> tuple[Household, list[Member]]:
    household = await get_household(session, principal, household_id)
    members = await repository.members_of(session, household.id, active_only=False)
    await record_audit(
        session,
        principal,
        action="read",
        entity="household",
        entity_id=str(household.id),
        area_code=household.area_code,
    )
    return household, members


async def update_household(
    session: AsyncSession,
    principal: Principal,
    protector: Protector,
    household_id: uuid.UUID,
    data: HouseholdUpdate,
    version: int,
) -> Household:
    household = await get_household(session, principal, household_id, for_update=True)
    await check_household_version(session, household, version)
    return await change_household(session, principal, protector, household, data)


async def check_household_version(
    session: AsyncSession, household: Household, version: int
) -> None:
    """412 with the current household (its members counted) when `version` is not its own."""
    if version != household.version:
        members = await repository.members_of(session, household.id, active_only=False)
        current = HouseholdRead.model_validate(household).model_copy(update={"members": []})
        check_version(
            version, household.version, {**current.model_dump(mode="json"), "members": len(members)}
        )


async def change_household(
    session: AsyncSession,
    principal: Principal,
    protector: Protector,
    household: Household,
    data: HouseholdUpdate,
) -> Household:
    """Apply an update to a household the caller has locked (`for_update`) at its version."""
    changes = data.model_dump(exclude_unset=True)
    for name in ("kind",):
        if name in changes and changes[name] is None:
            raise InvalidInput.for_field(f"body.{name}", "not_null", f"{name} cannot be null")
    before = HouseholdState.of(household)
    if "phone" in changes:
        phone = people.protect_phone(protector, changes.pop("phone"), "body.phone")
        changes["phone_cipher"] = phone.cipher if phone else None
        changes["phone_index"] = phone.index if phone else None
        changes["phone_masked"] = phone.masked if phone else None
    number = changes.get("household_number")
    if (
        number
        and number != household.household_number
        and await repository.household_number_taken(session, number)
    ):
        raise Conflict(f"The household number {number} is taken.", code="household_number_taken")
    await rows.save_household(session, household, changes)
    await rows.record_state_change(session, before, HouseholdState.of(household))
    await written(
        session, principal, household, "update", sorted(data.model_dump(exclude_unset=True))
    )
    return household


async def get_household(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Household:
    household = await repository.get_household(
        session, principal, household_id, for_update=for_update
    )
    if household is None:
        raise NotFound(f"No household {household_id}.")
    return household


# Households a transaction locked ahead (`lock_households`), by id, in `session.info`.
LOCKED_AHEAD = "dixian.monitoring.locked_households"


async def locked_household(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> Household:
    """The household locked for update, outside the session: for writes through `rows` only
    (an ORM change to it would never be flushed)."""
    household = session.info.get(LOCKED_AHEAD, {}).get(household_id)
    if household is None:
        household = await repository.locked_household(session, principal, household_id)
    if household is None:
        raise NotFound(f"No household {household_id}.")
    return household


async def lock_households(
    session: AsyncSession, principal: Principal, household_ids: list[uuid.UUID]
) -> None:
    """Lock these households (those in the principal's area) until the transaction ends, in one
    statement, and let `locked_household` answer them from memory: a field device's batch
    names a few households many times. Changes through `rows` keep them current; after any
    other change, or an undone one, call `forget_locked_households`."""
    if household_ids:
        locked = await repository.lock_households(session, principal, household_ids)
        session.info[LOCKED_AHEAD] = locked


async def households_of_members(
    session: AsyncSession, principal: Principal, member_ids: Collection[uuid.UUID]
) -> list[uuid.UUID]:
    return await repository.households_of_members(session, principal, member_ids)


def forget_locked_households(session: AsyncSession) -> None:
    """`locked_household` reads from the database again (the locks stay)."""
    session.info.pop(LOCKED_AHEAD, None)


async def audited_household(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, *, view: str
) -> Household:
    """The household, with an audit row saying which of its records (`view`) was read."""
    household = await get_household(session, principal, household_id)
    await record_audit(
        session,
        principal,
        action="read",
        entity="household",
        entity_id=str(household.id),
        area_code=household.area_code,
        details={"view": view},
    )
    return household


def check_village(principal: Principal, area_code: str, field: str) -> None:
    if level_of(area_code) != AreaLevel.VILLAGE:
        raise InvalidInput.for_field(
            field, "not_a_village", "A household belongs to a village (12-digit village code)."
        )
    if not principal.covers(area_code):
        raise InvalidInput.for_field(
            field, "area_out_of_scope", "The village is outside your jurisdiction."
        )


async def written(
    session: AsyncSession,
    principal: Principal,
    household: Household,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity="household",
        entity_id=str(household.id),
        area_code=household.area_code,
        version=household.version,
        action=action,
        fields=fields,
    )


async def member_written(
    session: AsyncSession,
    principal: Principal,
    member: Member,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity="member",
        entity_id=str(member.id),
        area_code=member.area_code,
        version=member.version,
        action=action,
        fields=fields,
    )
