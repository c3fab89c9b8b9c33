"""`/households/{id}/incomes/{year}` and `/monitoring-lines/{province}/{year}`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Response

from services.common.auth.dependencies import CurrentPrincipal, require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.concurrency import OptionalIfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.fields import AreaCode
from services.monitoring.access import Reader, Registrar
from services.monitoring.incomes import service
from services.monitoring.incomes.schemas import IncomeInput, IncomeRead, LineInput, LineRead

router = UnitOfWorkRouter(tags=["incomes"])
Year = Annotated[int, Path(ge=1900, le=2200)]
ProvinceCode = Annotated[AreaCode, Path()]
LineSetter = Annotated[Principal, Depends(require_roles(Role.ADMINISTRATOR))]


@router.put(
    "/households/{household_id}/incomes/{year}",
    response_model=IncomeRead,
    summary="Record a year's income (录入年度收入); per-capita net income is computed",
)
async def put_income(
    household_id: uuid.UUID,
    year: Year,
    data: IncomeInput,
    version: OptionalIfMatchVersion,
    session: SessionDep,
    principal: Registrar,
    response: Response,
) -> IncomeRead:
    income, created = await service.put_income(
        session, principal, household_id, year, data, version
    )
    response.status_code = 201 if created else 200
    set_etag(response, income.version)
    return IncomeRead.model_validate(income)


@router.get(
    "/households/{household_id}/incomes",
    response_model=list[IncomeRead],
    summary="Incomes by year (年度收入)",
)
async def list_incomes(
    household_id: uuid.UUID, session: SessionDep, principal: Reader
) -> list[IncomeRead]:
    return [
        IncomeRead.model_validate(i)
        for i in await service.list_incomes(session, principal, household_id)
    ]


@router.put(
    "/monitoring-lines/{province_code}/{year}",
    response_model=LineRead,
    summary="Set a province's monitoring line for a year (设定监测标准)",
)
async def put_line(
    province_code: ProvinceCode,
    year: Year,
    data: LineInput,
    version: OptionalIfMatchVersion,
    session: SessionDep,
    principal: LineSetter,
    response: Response,
) -> LineRead:
    line, created = await service.put_line(session, principal, province_code, year, data, version)
    response.status_code = 201 if created else 200
    set_etag(response, line.version)
    return LineRead.model_validate(line)


@router.get(
    "/monitoring-lines/{province_code}",
    response_model=list[LineRead],
    summary="A province's lines (监测标准)",
)
async def list_lines(
    province_code: ProvinceCode, session: SessionDep, _principal: CurrentPrincipal
) -> list[LineRead]:
    return [
        LineRead.model_validate(line) for line in await service.list_lines(session, province_code)
    ]
