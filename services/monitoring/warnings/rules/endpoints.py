"""`/warning-rules`: the rules that turn department records into warnings (预警规则)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from services.common.auth.dependencies import CurrentPrincipal, require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.fields import AreaCode
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.monitoring.codes.book import code_book
from services.monitoring.models import WarningRule, WarningRuleVersion
from services.monitoring.warnings.rules import repository, service
from services.monitoring.warnings.rules.schemas import (
    RuleCreate,
    RuleDetail,
    RuleRead,
    RuleUpdate,
    RuleVersionRead,
)

router = UnitOfWorkRouter(prefix="/warning-rules", tags=["warning rules"])
Administrator = Annotated[Principal, Depends(require_roles(Role.ADMINISTRATOR))]


def _detail(rule: WarningRule, versions: list[WarningRuleVersion]) -> RuleDetail:
    read = RuleRead.of(rule, versions[-1])
    return RuleDetail(
        **read.model_dump(exclude={"current"}),
        current=read.current,
        versions=[RuleVersionRead.model_validate(version) for version in versions],
    )


@router.post(
    "",
    status_code=201,
    response_model=RuleRead,
    summary="Create a warning rule (新增预警规则) of a province or the national default",
)
async def create_rule(
    data: RuleCreate,
    request: Request,
    session: SessionDep,
    principal: Administrator,
    response: Response,
) -> RuleRead:
    book = await code_book(request, session)
    rule, version = await service.create_rule(session, principal, book, data)
    set_etag(response, rule.version)
    response.headers["Location"] = f"/api/v1/warning-rules/{rule.id}"
    return RuleRead.of(rule, version)


@router.get(
    "",
    response_model=Page[RuleRead],
    summary="List warning rules (预警规则): your province's and the national default",
)
async def list_rules(
    session: SessionDep,
    principal: CurrentPrincipal,
    province_code: Annotated[AreaCode | None, Query(description="Only this province's")] = None,
    source: Annotated[str | None, Query(max_length=40)] = None,
    include_retired: bool = False,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[RuleRead]:
    rows = await repository.list_rules(
        session,
        principal,
        filters={
            "province_code": province_code,
            "source": source,
            "include_retired": include_retired,
        },
        after=decode_cursor(cursor, (str, str, uuid.UUID)),
        limit=limit + 1,
    )
    items, next_cursor = page_of(
        rows, limit, lambda row: [row[0].province_code, row[0].code, row[0].id]
    )
    return Page[RuleRead](
        items=[RuleRead.of(rule, version) for rule, version in items], next_cursor=next_cursor
    )


@router.get(
    "/{rule_id}", response_model=RuleDetail, summary="One rule with all its versions (规则版本)"
)
async def get_rule(
    rule_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> RuleDetail:
    rule, versions = await service.read_rule(session, principal, rule_id)
    set_etag(response, rule.version)
    return _detail(rule, versions)


@router.patch(
    "/{rule_id}",
    response_model=RuleRead,
    summary="Change a rule (修改预警规则): writes a new version, with If-Match",
)
async def update_rule(
    rule_id: uuid.UUID,
    data: RuleUpdate,
    version: IfMatchVersion,
    request: Request,
    session: SessionDep,
    principal: Administrator,
    response: Response,
) -> RuleRead:
    book = await code_book(request, session)
    rule, current = await service.update_rule(session, principal, book, rule_id, data, version)
    set_etag(response, rule.version)
    return RuleRead.of(rule, current)


@router.delete(
    "/{rule_id}",
    response_model=RuleRead,
    summary="Retire a rule (停用预警规则): batches received later ignore it, with If-Match",
)
async def retire_rule(
    rule_id: uuid.UUID,
    version: IfMatchVersion,
    session: SessionDep,
    principal: Administrator,
    response: Response,
) -> RuleRead:
    rule, current = await service.retire_rule(session, principal, rule_id, version)
    set_etag(response, rule.version)
    return RuleRead.of(rule, current)
