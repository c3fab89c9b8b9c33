"""The rules of subsidies: who qualifies, how much, and never twice for a person and year."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.history import record_write
from services.common.personal_data import Protector
from services.employment.figures import rollups as f
from services.employment.labourers.service import get_labourer
from services.employment.models import Subsidy
from services.employment.registry.client import PersonLookup
from services.employment.registry.eligibility import household_eligible
from services.employment.settings import DAYS_PER_MONTH, EmploymentSettings
from services.employment.shared import check_in_scope, check_year, protect_number
from services.employment.spells import yearly
from services.employment.subsidies import repository
from services.employment.subsidies.schemas import StudySubsidyCreate, TransportSubsidyCreate

TRANSPORT = "transport"
STUDY = "study"


async def pay_transport(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    data: TransportSubsidyCreate,
) -> Subsidy:
    """Once per labourer and year, for at least the configured months out of the province."""
    check_year(data.year, "body.year")
    labourer = await get_labourer(session, principal, data.labourer_id, for_update=True)
    await check_not_paid(session, TRANSPORT, labourer.person_number_index, data.year)
    work = await yearly.work_in_year(
        session, labourer.id, data.year, min_days=settings.employed_min_days()
    )
    needed = settings.transport_subsidy_min_months * DAYS_PER_MONTH
    if work.days_out_of_province < needed:
        raise InvalidInput.for_field(
            "body.labourer_id",
            "transport_subsidy_not_eligible",
            f"The transport subsidy needs {settings.transport_subsidy_min_months} months "
            f"({needed} days) of work out of the province in {data.year}; the labourer's jobs "
            f"cover {work.days_out_of_province} days.",
        )
    subsidy = Subsidy(
        id=uuid.uuid4(),
        kind=TRANSPORT,
        area_code=labourer.area_code,
        year=data.year,
        person_number_index=labourer.person_number_index,
        person_number_masked=labourer.person_number_masked,
        person_name=labourer.name,
        household_id=labourer.household_id,
        labourer_id=labourer.id,
        amount=settings.transport_subsidy_amount,
        paid_on=data.paid_on,
        version=1,
    )
    return await record_payment(session, principal, subsidy)


async def pay_study(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    protector: Protector,
    lookup: PersonLookup,
    data: StudySubsidyCreate,
) -> Subsidy:
    """Once per student and year, for members of exited-poverty or monitored households."""
    check_year(data.year, "body.year")
    number = protect_number(protector, data.person_number, "body.person_number")
    await check_not_paid(session, STUDY, number.index, data.year)
    standing = await lookup(number.index)
    if standing is None:
        raise InvalidInput.for_field(
            "body.person_number",
            "person_not_found",
            "No active household member with this ID number in your area's registry.",
        )
    if not household_eligible(standing):
        raise InvalidInput.for_field(
            "body.person_number",
            "student_not_eligible",
            "The study subsidy is for members of exited-poverty or monitored households.",
        )
    check_in_scope(principal, standing.area_code, "body.person_number")
    subsidy = Subsidy(
        id=uuid.uuid4(),
        kind=STUDY,
        area_code=standing.area_code,
        year=data.year,
        person_number_index=number.index,
        person_number_masked=number.masked,
        person_name=data.name,
        household_id=standing.household_id,
        school=data.school,
        amount=settings.study_subsidy_amount,
        paid_on=data.paid_on,
        version=1,
    )
    return await record_payment(session, principal, subsidy)


async def check_not_paid(session: AsyncSession, kind: str, index: bytes, year: int) -> None:
    if await repository.already_paid(session, kind, index, year):
        raise Conflict(
            f"This person has had the {kind} subsidy for {year} already.",
            code="subsidy_already_paid",
        )


async def record_payment(session: AsyncSession, principal: Principal, subsidy: Subsidy) -> Subsidy:
    session.add(subsidy)
    await session.flush()
    amount: Decimal = subsidy.amount
    await f.bump(
        session,
        [
            (subsidy.area_code, subsidy.year, f.by(f.SUBSIDIES, subsidy.kind), 1),
            (subsidy.area_code, subsidy.year, f.by(f.SUBSIDY_AMOUNT, subsidy.kind), amount),
        ],
    )
    await record_write(
        session,
        principal,
        entity="subsidy",
        entity_id=str(subsidy.id),
        area_code=subsidy.area_code,
        version=subsidy.version,
        action="create",
    )
    return subsidy


async def get_subsidy(
    session: AsyncSession, principal: Principal, subsidy_id: uuid.UUID
) -> Subsidy:
    subsidy = await repository.get_subsidy(session, principal, subsidy_id)
    if subsidy is None:
        raise NotFound(f"No subsidy {subsidy_id}.")
    return subsidy
