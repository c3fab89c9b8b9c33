"""`/employment-targets`: yearly targets per county (就业目标任务) and their completion."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request, Response

from services.common.concurrency import OptionalIfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.employment.access import Reader, TargetSetter
from services.employment.targets import service
from services.employment.targets.schemas import Completion, TargetInput, TargetRead

router = UnitOfWorkRouter(tags=["employment targets"])
CountyCode = Annotated[str, Path(pattern=r"^[0-9]{12}$")]
Year = Annotated[int, Path(ge=1900, le=2200)]


@router.put(
    "/employment-targets/{county_code}/{year}",
    response_model=TargetRead,
    summary="Set a county's employment target for a year (设定就业目标任务)",
)
async def put_target(
    county_code: CountyCode,
    year: Year,
    data: TargetInput,
    version: OptionalIfMatchVersion,
    session: SessionDep,
    principal: TargetSetter,
    response: Response,
) -> TargetRead:
    target, created = await service.put_target(session, principal, county_code, year, data, version)
    response.status_code = 201 if created else 200
    set_etag(response, target.version)
    return TargetRead.model_validate(target)


@router.get(
    "/employment-targets",
    response_model=list[Completion],
    summary="Targets and completion rates of the counties in your area (就业目标完成率)",
)
async def list_completions(
    request: Request,
    session: SessionDep,
    principal: Reader,
    year: Annotated[int, Query(ge=2000, le=2200)],
) -> list[Completion]:
    return await service.completions(session, principal, request.app.state.settings, year)
