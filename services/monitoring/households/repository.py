"""Every query of households and members, scoped by the caller's area."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from functools import cache, lru_cache
from typing import Any, TypeVar

from sqlalchemy import Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import NATION_CODE, scope_bounds
from services.common.auth.principal import Principal
from services.common.driver import driver_connection
from services.common.scope import in_scope
from services.monitoring.households.connection import text_refused_as_invalid
from services.monitoring.households.rows import transient
from services.monitoring.models import Household, Member, MemberMove

T = TypeVar("T")


async def get_household(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Household | None:
    """The household if it is in the principal's area (None otherwise, like a missing one)."""
    query = _household_by_id(principal, for_update)
    return await session.scalar(query, {"household_id": household_id})


async def locked_household(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> Household | None:
    """The household locked `FOR UPDATE` if it is in the principal's area, read on the driver
    and returned outside the session (transient): only `rows.save_household` may change it."""
    connection = await driver_connection(session)
    if principal.area == NATION_CODE:
        row = await connection.fetchrow(LOCK_HOUSEHOLD, household_id)
    else:
        bounds = _bounds(principal.area)
        row = await connection.fetchrow(LOCK_HOUSEHOLD_IN_AREA, household_id, *bounds)
    return None if row is None else transient(Household, row)


async def lock_households(
    session: AsyncSession, principal: Principal, household_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Household]:
    """`locked_household` for many households in one statement, locked in id order."""
    connection = await driver_connection(session)
    if principal.area == NATION_CODE:
        found = await connection.fetch(LOCK_HOUSEHOLDS, household_ids)
    else:
        bounds = _bounds(principal.area)
        found = await connection.fetch(LOCK_HOUSEHOLDS_IN_AREA, household_ids, *bounds)
    return {row["id"]: transient(Household, row) for row in found}


_bounds = cache(scope_bounds)
LOCK_HOUSEHOLD = "SELECT * FROM households WHERE id = $1 FOR UPDATE"
LOCK_HOUSEHOLD_IN_AREA = (
    "SELECT * FROM households WHERE id = $1 AND area_code BETWEEN $2 AND $3 FOR UPDATE"
)
LOCK_HOUSEHOLDS = "SELECT * FROM households WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE"
LOCK_HOUSEHOLDS_IN_AREA = """
SELECT * FROM households WHERE id = ANY($1::uuid[]) AND area_code BETWEEN $2 AND $3
ORDER BY id FOR UPDATE"""


async def get_member(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID, *, for_update: bool = False
) -> Member | None:
    return await session.scalar(_member_by_id(principal, for_update), {"member_id": member_id})


async def households_of_members(
    session: AsyncSession, principal: Principal, member_ids: Collection[uuid.UUID]
) -> list[uuid.UUID]:
    """The households of these members (those in the principal's area), read without a lock."""
    if not member_ids:
        return []
    query = select(Member.household_id).where(
        Member.id.in_(member_ids), in_scope(Member.area_code, principal)
    )
    return list((await session.scalars(query.distinct())).all())


async def household_of_member(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID
) -> uuid.UUID | None:
    """The household of the member if it is in the principal's area, read without a lock."""
    query = select(Member.household_id).where(
        Member.id == member_id, in_scope(Member.area_code, principal)
    )
    return await session.scalar(query)


# The by-id queries of one principal are built once and reused with the id as a parameter:
# building a statement costs the app more CPU than running it (field sync runs thousands).
@lru_cache(maxsize=4096)
def _household_by_id(principal: Principal, for_update: bool) -> Select[Household]:
    query = select(Household).where(
        Household.id == bindparam("household_id"), in_scope(Household.area_code, principal)
    )
    return _locking(query) if for_update else query


@lru_cache(maxsize=4096)
def _member_by_id(principal: Principal, for_update: bool) -> Select[Member]:
    query = select(Member).where(
        Member.id == bindparam("member_id"), in_scope(Member.area_code, principal)
    )
    return _locking(query) if for_update else query


def _locking(query: Select[T]) -> Select[T]:
    """`FOR UPDATE`, and the row as locked replaces what the session read of it before."""
    return query.with_for_update().execution_options(populate_existing=True)


async def active_heads(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> list[uuid.UUID]:
    """The ids of the household's active heads (one, unless its data is broken)."""
    query = select(Member.id).where(
        Member.household_id == household_id,
        in_scope(Member.area_code, principal),
        Member.active,
        Member.relationship == "head",
    )
    return list((await session.scalars(query)).all())


async def lock_for_head_change(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, member_id: uuid.UUID
) -> list[Member]:
    """The household's active heads and the member `member_id` if it is the household's, in
    the principal's area, locked `FOR UPDATE` in id order."""
    query = select(Member).where(
        Member.household_id == household_id,
        in_scope(Member.area_code, principal),
        or_(Member.id == member_id, and_(Member.active, Member.relationship == "head")),
    )
    return list((await session.scalars(_locking(query.order_by(Member.id)))).all())


async def moves_touching(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    *,
    after: int | None,
    limit: int,
) -> list[Row[MemberMove, str, str]]:
    """Moves into or out of the household if it is in the principal's area, newest first, each
    with the member's name and masked ID number."""
    in_area = (
        select(Household.id)
        .where(Household.id == household_id, in_scope(Household.area_code, principal))
        .exists()
    )
    query = (
        select(MemberMove, Member.name, Member.person_number_masked)
        .join(Member, Member.id == MemberMove.member_id)
        .where(
            or_(
                MemberMove.from_household_id == household_id,
                MemberMove.to_household_id == household_id,
            ),
            in_area,
        )
    )
    if after is not None:
        query = query.where(MemberMove.id < after)
    return list((await session.execute(query.order_by(MemberMove.id.desc()).limit(limit))).all())


async def members_of(
    session: AsyncSession, household_id: uuid.UUID, *, active_only: bool = True
) -> list[Member]:
    query = select(Member).where(Member.household_id == household_id)
    if active_only:
        query = query.where(Member.active)
    return list(
        (await session.scalars(query.order_by(Member.relationship, Member.birth_date))).all()
    )


async def active_members_among(session: AsyncSession, indexes: list[bytes]) -> set[bytes]:
    """Which of these blind indexes an active member has, in any area: a person belongs to one
    household at a time across the whole country, whoever asks."""
    rows = await (await driver_connection(session)).fetch(ACTIVE_MEMBERS_AMONG, indexes)
    return {row[0] for row in rows}


ACTIVE_MEMBERS_AMONG = (
    "SELECT person_number_index FROM members WHERE person_number_index = ANY($1) AND active"
)


async def household_number_taken(session: AsyncSession, number: str) -> bool:
    connection = await driver_connection(session)
    with text_refused_as_invalid():
        return (await connection.fetchval(HOUSEHOLD_BY_NUMBER, number)) is not None


HOUSEHOLD_BY_NUMBER = "SELECT id FROM households WHERE household_number = $1"


async def list_households(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: dict[str, Any],
    after: tuple[str, str, uuid.UUID] | None,
    limit: int,
) -> list[Household]:
    """Households in the principal's area in (village, head name, id) order, filtered."""
    query = select(Household).where(in_scope(Household.area_code, principal))
    if filters.get("village"):
        query = query.where(Household.area_code == filters["village"])
    if filters.get("status"):
        query = query.where(Household.monitoring_status == filters["status"])
    if filters.get("category"):
        query = query.where(Household.monitoring_category == filters["category"])
    if filters.get("kind"):
        query = query.where(Household.kind == filters["kind"])
    if filters.get("name"):
        pattern = "%" + _escape_like(filters["name"]) + "%"
        by_member = select(Member.household_id).where(
            in_scope(Member.area_code, principal),
            Member.active,
            Member.name.like(pattern, escape="\\"),
        )
        query = query.where(
            or_(Household.head_name.like(pattern, escape="\\"), Household.id.in_(by_member))
        )
    if filters.get("person_index") is not None:
        query = query.where(
            Household.id.in_(
                select(Member.household_id).where(
                    Member.person_number_index == filters["person_index"],
                    in_scope(Member.area_code, principal),
                )
            )
        )
    if filters.get("person_masked"):
        query = query.where(
            Household.id.in_(
                select(Member.household_id).where(
                    Member.person_number_masked == filters["person_masked"],
                    in_scope(Member.area_code, principal),
                )
            )
        )
    order = (Household.area_code, Household.head_name, Household.id)
    if after is not None:
        query = query.where(func.row(*order) > func.row(after[0], after[1], after[2]))
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
