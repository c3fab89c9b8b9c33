"""Every query of warning rules. A principal sees its own province's rules and the national
default set (a national principal sees all), applied in the WHERE clause."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import NATION_CODE
from services.common.auth.principal import Principal
from services.monitoring.models import WarningRule, WarningRuleVersion


def province_of(area_code: str) -> str:
    """The province of an area (the nation stays the nation)."""
    return area_code[:2].ljust(12, "0")


def visible(principal: Principal) -> ColumnElement[bool]:
    if principal.area == NATION_CODE:
        return true()
    return WarningRule.province_code.in_([province_of(principal.area), NATION_CODE])


async def get_rule(
    session: AsyncSession, principal: Principal, rule_id: uuid.UUID, *, for_update: bool = False
) -> WarningRule | None:
    query = select(WarningRule).where(WarningRule.id == rule_id, visible(principal))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def versions_of(session: AsyncSession, rule_id: uuid.UUID) -> list[WarningRuleVersion]:
    query = (
        select(WarningRuleVersion)
        .where(WarningRuleVersion.rule_id == rule_id)
        .order_by(WarningRuleVersion.version)
    )
    return list((await session.scalars(query)).all())


async def current_version(session: AsyncSession, rule: WarningRule) -> WarningRuleVersion:
    query = select(WarningRuleVersion).where(
        WarningRuleVersion.rule_id == rule.id, WarningRuleVersion.version == rule.version
    )
    version = await session.scalar(query)
    assert version is not None  # written with every change of the rule
    return version


async def code_taken(session: AsyncSession, province_code: str, code: str) -> bool:
    query = select(WarningRule.id).where(
        WarningRule.province_code == province_code,
        WarningRule.code == code,
        WarningRule.retired.is_(False),
    )
    return (await session.scalar(query)) is not None


async def list_rules(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: dict[str, Any],
    after: Sequence[Any] | None,
    limit: int,
) -> list[tuple[WarningRule, WarningRuleVersion]]:
    """Rules with their current versions in (province, code, id) order."""
    query = (
        select(WarningRule, WarningRuleVersion)
        .join(
            WarningRuleVersion,
            and_(
                WarningRuleVersion.rule_id == WarningRule.id,
                WarningRuleVersion.version == WarningRule.version,
            ),
        )
        .where(visible(principal))
    )
    if filters.get("province_code"):
        query = query.where(WarningRule.province_code == filters["province_code"])
    if filters.get("source"):
        query = query.where(WarningRuleVersion.source == filters["source"])
    if not filters.get("include_retired"):
        query = query.where(WarningRule.retired.is_(False))
    order = (WarningRule.province_code, WarningRule.code, WarningRule.id)
    if after is not None:
        query = query.where(func.row(*order) > func.row(*after))
    rows = (await session.execute(query.order_by(*order).limit(limit))).all()
    return [(rule, version) for rule, version in rows]


async def current_versions(
    session: AsyncSession, provinces: Sequence[str]
) -> list[WarningRuleVersion]:
    """The current versions of the rules in force (not retired) of these provinces."""
    query = (
        select(WarningRuleVersion)
        .join(
            WarningRule,
            and_(
                WarningRuleVersion.rule_id == WarningRule.id,
                WarningRuleVersion.version == WarningRule.version,
            ),
        )
        .where(WarningRule.province_code.in_(provinces), WarningRule.retired.is_(False))
        .order_by(WarningRuleVersion.id)
    )
    return list((await session.scalars(query)).all())


async def versions_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[WarningRuleVersion]:
    query = select(WarningRuleVersion).where(WarningRuleVersion.id.in_(list(ids)))
    return list((await session.scalars(query.order_by(WarningRuleVersion.id))).all())
