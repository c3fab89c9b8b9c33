"""`/labourers/{id}/spells`, `/spells/{id}`: employment spells (就业记录), and a labourer's
work in a year by the employed-in-year rule."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Request, Response

from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.employment.access import Reader, Recorder
from services.employment.labourers.service import get_labourer
from services.employment.settings import EmploymentSettings
from services.employment.spells import repository, service, yearly
from services.employment.spells.schemas import (
    SpellCreate,
    SpellRead,
    SpellUpdate,
    WorkInYearRead,
)

router = UnitOfWorkRouter(tags=["employment"])
Year = Annotated[int, Path(ge=2000, le=2200)]


@router.post(
    "/labourers/{labourer_id}/spells",
    status_code=201,
    response_model=SpellRead,
    summary="Record a job (登记就业)",
    description=(
        "A public-welfare post job is a contract: pay at most the local minimum wage "
        "(`post_pay_above_minimum_wage`), an end date (`post_contract_end_required`) at most "
        "12 months on (`post_contract_too_long`), a free position (409 `post_full`). Post and "
        "workshop jobs are in the county (`local_place_required`)."
    ),
)
async def create_spell(
    labourer_id: uuid.UUID,
    data: SpellCreate,
    request: Request,
    session: SessionDep,
    principal: Recorder,
    response: Response,
) -> SpellRead:
    spell = await service.create_spell(
        session, principal, request.app.state.settings, labourer_id, data
    )
    set_etag(response, spell.version)
    response.headers["Location"] = f"/api/v1/spells/{spell.id}"
    return SpellRead.model_validate(spell)


@router.get(
    "/labourers/{labourer_id}/spells",
    response_model=list[SpellRead],
    summary="A labourer's jobs (就业记录)",
)
async def list_spells(
    labourer_id: uuid.UUID, session: SessionDep, principal: Reader
) -> list[SpellRead]:
    labourer = await get_labourer(session, principal, labourer_id)
    return [
        SpellRead.model_validate(spell)
        for spell in await repository.spells_of(session, labourer.id)
    ]


@router.get("/spells/{spell_id}", response_model=SpellRead, summary="One job (就业记录详情)")
async def get_spell(
    spell_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> SpellRead:
    spell = await service.get_spell(session, principal, spell_id)
    set_etag(response, spell.version)
    return SpellRead.model_validate(spell)


@router.patch(
    "/spells/{spell_id}",
    response_model=SpellRead,
    summary="Change a job, e.g. record its end (修改就业记录)",
)
async def update_spell(
    spell_id: uuid.UUID,
    data: SpellUpdate,
    version: IfMatchVersion,
    request: Request,
    session: SessionDep,
    principal: Recorder,
    response: Response,
) -> SpellRead:
    spell = await service.update_spell(
        session, principal, request.app.state.settings, spell_id, data, version
    )
    set_etag(response, spell.version)
    return SpellRead.model_validate(spell)


@router.get(
    "/labourers/{labourer_id}/years/{year}",
    response_model=WorkInYearRead,
    summary="A labourer's work in a year and whether it counts as employed (年度就业认定)",
)
async def work_in_year(
    labourer_id: uuid.UUID, year: Year, request: Request, session: SessionDep, principal: Reader
) -> WorkInYearRead:
    settings: EmploymentSettings = request.app.state.settings
    labourer = await get_labourer(session, principal, labourer_id)
    work = await yearly.work_in_year(
        session, labourer.id, year, min_days=settings.employed_min_days()
    )
    return WorkInYearRead(
        labourer_id=labourer.id,
        year=year,
        worked_days=work.worked_days,
        days_in_county=work.days_in_county,
        days_in_province=work.days_in_province,
        days_out_of_province=work.days_out_of_province,
        employed=work.employed,
        place_class=work.place_class,
        rule=(
            f"employed when jobs cover at least {settings.employed_min_months} months "
            f"({settings.employed_min_days()} days) of the year; an open job counts to year end"
        ),
    )
