"""Every query of the area registry, scoped by the caller's area where it reads rows."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    String,
    Table,
    any_,
    bindparam,
    false,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from gateway.models import Area
from services.common.areas import NATION_CODE
from services.common.auth.principal import Principal
from services.common.changes import record_changes
from services.common.scope import in_scope


@dataclass(frozen=True)
class Registered:
    """What the registration rules need to know of an area already in the registry."""

    code: str
    name: str
    parent_code: str | None
    dissolved_on: date | None


async def area_exists(session: AsyncSession, code: str) -> bool:
    """Whether the registry knows the code (dissolved areas included: old records keep them).
    The whole country, the area of national administrators, always exists."""
    if code == NATION_CODE:
        return True
    return (await session.scalar(select(Area.code).where(Area.code == code))) is not None


async def get_in_scope(
    session: AsyncSession, principal: Principal, code: str, *, for_update: bool = False
) -> Area | None:
    query = select(Area).where(Area.code == code, in_scope(Area.code, principal))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_in_scope(
    session: AsyncSession,
    principal: Principal,
    *,
    parent: str | None,
    level: str | None,
    name: str | None,
    include_dissolved: bool,
    after_code: str | None,
    limit: int,
) -> list[Area]:
    query = select(Area).where(in_scope(Area.code, principal)).order_by(Area.code)
    if parent is not None:
        query = query.where(Area.parent_code == parent)
    if level is not None:
        query = query.where(Area.level == level)
    if name:
        query = query.where(Area.name.ilike(f"%{_escape_like(name)}%", escape="\\"))
    if not include_dissolved:
        query = query.where(Area.dissolved_on.is_(None))
    if after_code is not None:
        query = query.where(Area.code > after_code)
    return list((await session.scalars(query.limit(limit))).all())


async def registered_in_scope(
    session: AsyncSession, principal: Principal, codes: Collection[str]
) -> dict[str, Registered]:
    """The registered areas among `codes` that lie in the principal's area, by code."""
    query = select(Area.code, Area.name, Area.parent_code, Area.dissolved_on).where(
        Area.code == any_(_text_array("codes", sorted(set(codes)))),
        in_scope(Area.code, principal),
    )
    return {
        row.code: Registered(row.code, row.name, row.parent_code, row.dissolved_on)
        for row in await session.execute(query)
    }


async def insert_area(session: AsyncSession, values: dict[str, Any]) -> Area | None:
    """The new area, or None when the code was registered meanwhile (no exception, so the
    transaction stays usable and the caller can answer 409)."""
    query = (
        pg_insert(Area)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Area.code])
        .returning(Area)
    )
    return (await session.scalars(query)).first()


async def insert_areas(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    """One INSERT for all rows, without ORM objects; the codes actually inserted (a code
    registered meanwhile by another request is skipped).

    The values travel as one array per column and come back out of `unnest`, so the
    statement has a handful of parameters however many rows there are (asyncpg allows
    32,767).
    Parents precede their children in `rows`; the foreign key is checked at the end of the
    statement, so a parent in the same batch counts.
    """
    if not rows:
        return set()
    table = cast(Table, Area.__table__)
    columns = ("code", "name", "level", "parent_code")
    source = (
        func.unnest(*(_text_array(column, [row[column] for row in rows]) for column in columns))
        .table_valued(*columns)
        .render_derived()
    )
    query = (
        pg_insert(table)
        .from_select(
            [*columns, "custom", "version"],
            select(*(source.c[column] for column in columns), false(), literal(1)),
        )
        .on_conflict_do_nothing(index_elements=["code"])
        .returning(table.c.code)
    )
    return set((await session.scalars(query)).all())


async def record_created_areas(session: AsyncSession, codes: Sequence[str]) -> None:
    """One change-feed row per created area."""
    await record_changes(session, "area", "create", [(code, code, 1) for code in codes])


def _text_array(name: str, values: Sequence[str | None]) -> BindParameter[Any]:
    return bindparam(name, list(values), type_=ARRAY(String))
