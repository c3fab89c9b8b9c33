"""The rules of employment targets: set per county and year, within the caller's area."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel
from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.concurrency import check_version
from services.common.errors import InvalidInput, NotFound, PreconditionRequired
from services.common.history import record_write
from services.employment.figures import rollups as f
from services.employment.figures.reading import figures_by_area, percent
from services.employment.models import EmploymentTarget
from services.employment.settings import EmploymentSettings
from services.employment.shared import area_level, check_year
from services.employment.targets import repository
from services.employment.targets.schemas import Completion, TargetInput, TargetRead


async def put_target(
    session: AsyncSession,
    principal: Principal,
    county_code: str,
    year: int,
    data: TargetInput,
    version: int | None,
) -> tuple[EmploymentTarget, bool]:
    """Create or replace a county's target for a year; returns it and whether it was created."""
    check_year(year, "path.year")
    if area_level(county_code, "path.county_code") != AreaLevel.COUNTY:
        raise InvalidInput.for_field(
            "path.county_code", "not_a_county", "Targets are set per county."
        )
    if not principal.covers(county_code):
        raise NotFound(f"No county {county_code} in your area.")
    target = await repository.get_target(session, county_code, year, for_update=True)
    created = target is None
    before = 0
    if target is None:
        target = EmploymentTarget(county_code=county_code, year=year, version=0)
        session.add(target)
    else:
        if version is None:
            raise PreconditionRequired("Replacing a target needs If-Match with its version.")
        check_version(
            version, target.version, TargetRead.model_validate(target).model_dump(mode="json")
        )
        before = target.target
    target.target = data.target
    target.version += 1
    await session.flush()
    await f.bump(session, [(county_code, year, f.EMPLOYMENT_TARGET, data.target - before)])
    await record_write(
        session,
        principal,
        entity="employment_target",
        entity_id=f"{county_code}:{year}",
        area_code=county_code,
        version=target.version,
        action="create" if created else "update",
    )
    return target, created


async def completions(
    session: AsyncSession, principal: Principal, settings: EmploymentSettings, year: int
) -> list[Completion]:
    """Each county in scope with a target for `year`, against its employed labourers (a
    principal below county level sees no targets: they are the county's)."""
    targets = await repository.targets_in_scope(session, principal, year)
    if not targets:
        return []
    rows = {
        row.area_code: row.values
        for row in await figures_by_area(
            session,
            settings,
            area=principal.area,
            depth=AREA_LEVEL_DEPTH[AreaLevel.COUNTY],
            year=year,
            today=business_today(),
        )
    }
    answers = []
    for target in targets:
        values = rows.get(target.county_code, {})
        employed = int(values.get(f.EMPLOYED, Decimal(0)))
        answers.append(
            Completion(
                county_code=target.county_code,
                year=year,
                target=target.target,
                employed=employed,
                employed_in_county=int(values.get(f.by(f.EMPLOYED, "in_county"), 0)),
                employed_in_province=int(values.get(f.by(f.EMPLOYED, "in_province"), 0)),
                employed_out_of_province=int(values.get(f.by(f.EMPLOYED, "out_of_province"), 0)),
                completion_rate=(
                    percent(Decimal(employed), Decimal(target.target)) if target.target else None
                ),
            )
        )
    return answers
