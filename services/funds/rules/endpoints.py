"""`/fund-rules/{province}/{year}`: each province's rules for its counties' funds, as data."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response

from services.common.concurrency import OptionalIfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.funds.access import Reader, RulesSetter
from services.funds.rules import service
from services.funds.rules.schemas import RulesRead, RulesWrite

router = UnitOfWorkRouter(prefix="/fund-rules", tags=["fund rules"])
ProvinceCode = Annotated[str, Path(pattern=r"^[0-9]{2}0{10}$", description="e.g. 410000000000")]
Year = Annotated[int, Path(ge=2000, le=2100)]


@router.put(
    "/{province_code}/{year}",
    response_model=RulesRead,
    summary="Set a province's fund rules for a year: industry share, milestones, cards "
    "(设定资金考核规则); administrators only",
)
async def put_rules(
    province_code: ProvinceCode,
    year: Year,
    data: RulesWrite,
    version: OptionalIfMatchVersion,
    session: SessionDep,
    principal: RulesSetter,
    response: Response,
) -> RulesRead:
    rules, created = await service.put_rules(session, principal, province_code, year, data, version)
    response.status_code = 201 if created else 200
    set_etag(response, rules.version)
    return RulesRead.of(rules)


@router.get(
    "/{province_code}/{year}",
    response_model=RulesRead,
    summary="A province's fund rules for a year (资金考核规则)",
)
async def get_rules(
    province_code: ProvinceCode,
    year: Year,
    session: SessionDep,
    _principal: Reader,
    response: Response,
) -> RulesRead:
    rules = await service.read_rules(session, province_code, year)
    set_etag(response, rules.version)
    return RulesRead.of(rules)


@router.get(
    "/{province_code}",
    response_model=list[RulesRead],
    summary="A province's fund rules, year by year",
)
async def list_rules(
    province_code: ProvinceCode, session: SessionDep, _principal: Reader
) -> list[RulesRead]:
    return [RulesRead.of(rules) for rules in await service.list_rules(session, province_code)]
