"""The rules of warning rules: administrators create, change and retire them within their
area; every change writes a new version, so batches keep the versions they were received
under. Which rules are in force for a province: its own for each source it has rules of, the
national default set for the others."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import NATION_CODE, AreaLevel, level_of
from services.common.auth.principal import Principal
from services.common.concurrency import check_version
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.history import record_write
from services.monitoring.codes.book import CodeBook
from services.monitoring.models import WarningRule, WarningRuleVersion
from services.monitoring.warnings.rules import repository
from services.monitoring.warnings.rules.schemas import RuleCreate, RuleFields, RuleRead, RuleUpdate

ENTITY = "warning_rule"


def check_codes(book: CodeBook, source: str, event_type: str, risk_type: str) -> None:
    """422 naming the field when a code is unknown or the event type is another source's."""
    book.check("feed_source", source, "body.source")
    book.check("feed_event_type", event_type, "body.event_type")
    if book.lists["feed_event_type"][event_type].parent_code != source:
        raise InvalidInput.for_field(
            "body.event_type", "event_type_of_other_source", f"{event_type} is not of {source}."
        )
    book.check("risk_type", risk_type, "body.risk_type")


async def create_rule(
    session: AsyncSession, principal: Principal, book: CodeBook, data: RuleCreate
) -> tuple[WarningRule, WarningRuleVersion]:
    if level_of(data.province_code) not in (AreaLevel.PROVINCE, AreaLevel.NATION):
        raise InvalidInput.for_field(
            "body.province_code", "not_a_province", "Rules are set per province (or 000000000000)."
        )
    if not principal.covers(data.province_code):
        raise InvalidInput.for_field(
            "body.province_code", "area_out_of_scope", "The province is outside your area."
        )
    check_codes(book, data.source, data.event_type, data.risk_type)
    if await repository.code_taken(session, data.province_code, data.code):
        raise Conflict(f"The province already has a rule {data.code}.", code="rule_code_taken")
    rule = WarningRule(
        id=uuid.uuid4(), province_code=data.province_code, code=data.code, retired=False, version=1
    )
    session.add(rule)
    await session.flush()
    version = _version(principal, rule, data)
    session.add(version)
    await session.flush()
    await _written(session, principal, rule, "create")
    return rule, version


async def read_rule(
    session: AsyncSession, principal: Principal, rule_id: uuid.UUID
) -> tuple[WarningRule, list[WarningRuleVersion]]:
    rule = await _get(session, principal, rule_id)
    return rule, await repository.versions_of(session, rule.id)


async def update_rule(
    session: AsyncSession,
    principal: Principal,
    book: CodeBook,
    rule_id: uuid.UUID,
    data: RuleUpdate,
    expected: int,
) -> tuple[WarningRule, WarningRuleVersion]:
    rule, current = await _changeable(session, principal, rule_id, expected)
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    fields = _fields_of(current).model_copy(
        update={name: value for name, value in changes.items() if value is not None}
    )
    check_codes(book, fields.source, fields.event_type, fields.risk_type)
    return rule, await _new_version(session, principal, rule, fields, "update")


async def retire_rule(
    session: AsyncSession, principal: Principal, rule_id: uuid.UUID, expected: int
) -> tuple[WarningRule, WarningRuleVersion]:
    """A retired rule raises nothing for batches received from now on; its versions stay."""
    rule, current = await _changeable(session, principal, rule_id, expected)
    rule.retired = True
    return rule, await _new_version(session, principal, rule, _fields_of(current), "retire")


async def rules_in_force(session: AsyncSession, province_code: str) -> list[WarningRuleVersion]:
    """The current versions a batch of this province is evaluated with: the province's own
    rules for each source it has any of, the national default's for the other sources."""
    versions = await repository.current_versions(session, sorted({province_code, NATION_CODE}))
    own_sources = {v.source for v in versions if v.province_code == province_code}
    return [
        version
        for version in versions
        if version.province_code == province_code
        or (version.province_code == NATION_CODE and version.source not in own_sources)
    ]


async def _changeable(
    session: AsyncSession, principal: Principal, rule_id: uuid.UUID, expected: int
) -> tuple[WarningRule, WarningRuleVersion]:
    rule = await _get(session, principal, rule_id, for_update=True)
    if not principal.covers(rule.province_code):
        raise Forbidden(
            "The rule belongs to an area above yours; you may read it only.",
            code="rule_outside_area",
        )
    current = await repository.current_version(session, rule)
    check_version(expected, rule.version, RuleRead.of(rule, current).model_dump(mode="json"))
    if rule.retired:
        raise Conflict("The rule is retired.", code="rule_retired")
    return rule, current


async def _new_version(
    session: AsyncSession,
    principal: Principal,
    rule: WarningRule,
    fields: RuleFields,
    action: str,
) -> WarningRuleVersion:
    rule.version += 1
    version = _version(principal, rule, fields)
    session.add(version)
    await session.flush()
    await _written(session, principal, rule, action)
    return version


def _fields_of(version: WarningRuleVersion) -> RuleFields:
    return RuleFields.model_validate(
        {
            "source": version.source,
            "event_type": version.event_type,
            "condition": version.condition,
            "risk_type": version.risk_type,
            "description": version.description,
        }
    )


def _version(principal: Principal, rule: WarningRule, fields: RuleFields) -> WarningRuleVersion:
    return WarningRuleVersion(
        rule_id=rule.id,
        version=rule.version,
        province_code=rule.province_code,
        code=rule.code,
        source=fields.source,
        event_type=fields.event_type,
        condition=fields.condition.model_dump(mode="json", exclude_none=True),
        risk_type=fields.risk_type,
        description=fields.description,
        retired=rule.retired,
        created_by=principal.subject,
    )


async def _get(
    session: AsyncSession, principal: Principal, rule_id: uuid.UUID, *, for_update: bool = False
) -> WarningRule:
    rule = await repository.get_rule(session, principal, rule_id, for_update=for_update)
    if rule is None:
        raise NotFound(f"No warning rule {rule_id}.")
    return rule


async def _written(
    session: AsyncSession, principal: Principal, rule: WarningRule, action: str
) -> None:
    await record_write(
        session,
        principal,
        entity=ENTITY,
        entity_id=str(rule.id),
        area_code=rule.province_code,
        version=rule.version,
        action=action,
    )
