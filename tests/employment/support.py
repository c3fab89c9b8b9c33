"""Helpers for the employment tests: people in the monitoring registry with known ID numbers,
and requests to the employment app."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.common.auth.roles import Role, Scope
from services.common.business_time import business_today
from services.employment.models import AreaFigure
from services.monitoring.figures.contribution import HouseholdState, record_state_change
from services.monitoring.models import Household, Member
from tests.support.identities import COUNTY, NATION, VILLAGE, TokenFactory
from tests.support.monitoring import create_household, person_number


@dataclass(frozen=True)
class Person:
    number: str
    household_id: uuid.UUID
    member_id: uuid.UUID


def years_ago(years: int, *, days: int = 0) -> date:
    """The day `years` before today, moved by `days` (-1: someone born then is `years` old)."""
    today = business_today()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return born + timedelta(days=days)


async def person(
    monitoring: FastAPI,
    *,
    kind: str = "exited_poverty",
    status: str = "none",
    age: int = 35,
    village: str = VILLAGE,
    labour_ability: str = "ordinary",
) -> Person:
    """A household made by the monitoring factory, with one more member whose number we keep."""
    household = await create_household(
        monitoring,
        village=village,
        kind=kind,
        status=status,
        category="marginal" if status == "monitored" else None,
        members=1,
    )
    return await add_person(monitoring, household.id, age=age, labour_ability=labour_ability)


async def add_person(
    monitoring: FastAPI,
    household_id: uuid.UUID,
    *,
    age: int = 35,
    labour_ability: str = "ordinary",
) -> Person:
    """Another member of an existing household, figures kept right."""
    async with monitoring.state.database.sessionmaker() as session:
        household = await session.get(Household, household_id, with_for_update=True)
        assert household is not None
        number = person_number(region=household.area_code[:6], birth=years_ago(age, days=-1))
        protected = monitoring.state.protector.person_number(number)
        before = HouseholdState.of(household)
        member = Member(
            id=uuid.uuid4(),
            household_id=household.id,
            area_code=household.area_code,
            person_number_cipher=protected.cipher,
            person_number_index=protected.index,
            person_number_masked=protected.masked,
            person_number_kind=protected.parsed.kind,
            name="李劳动",
            sex=protected.parsed.sex,
            birth_date=protected.parsed.birth_date,
            relationship="son",
            labour_ability=labour_ability,
            version=1,
        )
        session.add(member)
        household.member_count += 1
        await session.flush()
        await record_state_change(session, before, HouseholdState.of(household))
        await session.commit()
    return Person(number=number, household_id=household_id, member_id=member.id)


def posting(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


def county_staff(tokens: TokenFactory, role: Role = Role.COUNTY_ADMIN) -> dict[str, str]:
    return tokens.headers(role, COUNTY)


def service_headers(tokens: TokenFactory) -> dict[str, str]:
    return tokens.headers(
        Role.ADMINISTRATOR, NATION, scopes=[Scope.INTERNAL.value], sub="client:gateway"
    )


async def register_labourer(
    client: httpx.AsyncClient, headers: dict[str, str], who: Person, **extra: Any
) -> dict[str, Any]:
    answer = await client.post(
        "/api/v1/labourers",
        json={"person_number": who.number, "name": "李劳动", **extra},
        headers=posting(headers),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def add_spell(
    client: httpx.AsyncClient, headers: dict[str, str], labourer_id: str, **fields: Any
) -> httpx.Response:
    body = {
        "employer": "柘城县某制衣厂",
        "place_class": "in_county",
        "kind": "enterprise",
        "start_date": "2025-01-01",
        "monthly_wage": "3000.00",
        **fields,
    }
    return await client.post(
        f"/api/v1/labourers/{labourer_id}/spells", json=body, headers=posting(headers)
    )


async def stored_figures(employment: FastAPI, area_code: str = VILLAGE) -> dict[str, Decimal]:
    """The village's stored figures, `metric@year` (year 0 is all-time)."""
    async with employment.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(AreaFigure.year, AreaFigure.metric, AreaFigure.value).where(
                AreaFigure.area_code == area_code
            )
        )
        return {f"{metric}@{year}": value for year, metric, value in rows.all() if value}


def problem_rule(answer: httpx.Response) -> str:
    body = answer.json()
    return str(body["fields"][0]["rule"]) if body.get("fields") else str(body["code"])
