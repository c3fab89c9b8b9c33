"""Helpers of the case tests: requests with the right headers, the roles of each level,
households set up for elimination, and the village's stored figures."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import select, update

from services.common.auth.roles import Role
from services.common.business_time import business_today
from services.monitoring.cases.periods import months_before
from services.monitoring.models import (
    AreaFigure,
    Case,
    HelpMeasure,
    Household,
    HouseholdIncome,
    MonitoringLine,
)
from tests.support.identities import COUNTY, TOWNSHIP, VILLAGE, TokenFactory
from tests.support.monitoring import create_household

CASES = "/api/v1/cases"


def idempotent(headers: dict[str, str]) -> dict[str, str]:
    """The headers plus a fresh Idempotency-Key, which every POST needs."""
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


def problem(answer: Response, status: int, code: str, rule: str | None = None) -> dict[str, Any]:
    """Assert a problem+json answer with this status, code and (first) field rule."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["code"] == code, body
    if rule is not None:
        assert body["fields"][0]["rule"] == rule, body
    return body


class Staff:
    """The people who take the steps of a case in VILLAGE, TOWNSHIP and COUNTY."""

    def __init__(self, tokens: TokenFactory) -> None:
        self.officer = tokens.headers(Role.VILLAGE_OFFICER, VILLAGE)
        self.reviewer = tokens.headers(Role.TOWNSHIP_REVIEWER, TOWNSHIP)
        self.approver = tokens.headers(Role.COUNTY_APPROVER, COUNTY)
        self.county_admin = tokens.headers(Role.COUNTY_ADMIN, COUNTY)


async def open_case(client: AsyncClient, headers: dict[str, str], **body: Any) -> Response:
    return await client.post(CASES, json=_jsonable(body), headers=idempotent(headers))


def identification(household: Household, **overrides: Any) -> dict[str, Any]:
    return {
        "household_id": household.id,
        "procedure": "identification",
        "source": "officer_finding",
        "proposed_category": "marginal",
        "proposed_risk_types": ["illness", "education"],
        **overrides,
    }


def elimination(household: Household, **overrides: Any) -> dict[str, Any]:
    return {
        "household_id": household.id,
        "procedure": "elimination",
        "elimination_kind": "by_help",
        "large_costs_resolved": True,
        "guarantees_secure": True,
        **overrides,
    }


async def open_ok(client: AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = await open_case(client, headers, **body)
    assert answer.status_code == 201, answer.text
    case: dict[str, Any] = answer.json()
    return case


async def act(
    client: AsyncClient,
    headers: dict[str, str],
    case: dict[str, Any],
    step: str,
    action: str = "complete",
    *,
    version: int | None = None,
    **data: Any,
) -> Response:
    """Take `action` at `step`, based on the case's version (or `version`)."""
    return await client.post(
        f"{CASES}/{case['id']}/steps",
        json=_jsonable({"step": step, "action": action, **data}),
        headers={
            **idempotent(headers),
            "If-Match": f'"{case["version"] if version is None else version}"',
        },
    )


async def act_ok(
    client: AsyncClient,
    headers: dict[str, str],
    case: dict[str, Any],
    step: str,
    action: str = "complete",
    **data: Any,
) -> dict[str, Any]:
    answer = await act(client, headers, case, step, action, **data)
    assert answer.status_code == 200, answer.text
    assert answer.headers["ETag"] == f'"{case["version"] + 1}"'
    acted: dict[str, Any] = answer.json()
    return acted


async def through_village(
    client: AsyncClient, app: FastAPI, staff: Staff, case: dict[str, Any]
) -> dict[str, Any]:
    """Home verification, data comparison (identification) and village review, the notice
    started long enough ago for the township (the case is backdated to allow it)."""
    case = await act_ok(client, staff.officer, case, "home_verification", consent_signed=True)
    if case["procedure"] == "identification":
        case = await act_ok(client, staff.officer, case, "data_comparison", findings="一致")
    await backdate(app, case["id"], days=10)
    notice = business_today() - timedelta(days=5)
    return await act_ok(
        client, staff.officer, case, "village_review", notice_started_on=notice, objections=[]
    )


async def through_county(
    client: AsyncClient, app: FastAPI, staff: Staff, case: dict[str, Any]
) -> dict[str, Any]:
    """Every step of the case, each by its role, ending with the county's approval."""
    case = await through_village(client, app, staff, case)
    case = await act_ok(client, staff.reviewer, case, "township_review", findings="同意")
    return await act_ok(client, staff.approver, case, "county_approval", findings="批准")


async def backdate(app: FastAPI, case_id: str, *, days: int) -> None:
    """Move a case's opening and deadline `days` into the past, as if opened then."""
    async with app.state.database.sessionmaker() as session:
        await session.execute(
            update(Case)
            .where(Case.id == uuid.UUID(case_id))
            .values(
                opened_on=Case.opened_on - timedelta(days=days),
                deadline_on=Case.deadline_on - timedelta(days=days),
            )
        )
        await session.commit()


async def figures(app: FastAPI, area: str = VILLAGE, year: int = 0) -> dict[str, int]:
    async with app.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(AreaFigure.metric, AreaFigure.value).where(
                AreaFigure.area_code == area, AreaFigure.year == year
            )
        )
        return {metric: value for metric, value in rows.all() if value}


async def household_row(app: FastAPI, household_id: uuid.UUID) -> Household:
    async with app.state.database.sessionmaker() as session:
        household = await session.get(Household, household_id)
        assert household is not None
        return household


async def elimination_candidate(
    app: FastAPI,
    *,
    village: str = VILLAGE,
    status: str = "monitored",
    members: int = 2,
    monitored_since: date | None = None,
    measure: bool = True,
    per_capita_net: Decimal | None = Decimal("9000.00"),
    line: Decimal | None = Decimal("7000.00"),
    labour_ability: str = "ordinary",
    year: int | None = None,
) -> Household:
    """A monitored household that meets every elimination rule unless told otherwise: its
    income of `year` (default this year), this year's `line`."""
    household = await create_household(
        app,
        village=village,
        status=status,
        category="marginal",
        members=members,
        labour_ability=labour_ability,
    )
    today = business_today()
    year = year or today.year
    since = monitored_since or months_before(today, 7)
    async with app.state.database.sessionmaker() as session:
        await session.execute(
            update(Household).where(Household.id == household.id).values(identified_on=since)
        )
        if measure:
            session.add(
                HelpMeasure(
                    household_id=household.id,
                    area_code=village,
                    measure="employment",
                    started_on=since,
                    version=1,
                )
            )
        if per_capita_net is not None:
            session.add(
                HouseholdIncome(
                    household_id=household.id,
                    year=year,
                    wages=per_capita_net * members,
                    business_net=Decimal("0.00"),
                    property_income=Decimal("0.00"),
                    transfers=Decimal("0.00"),
                    compliant_costs=Decimal("0.00"),
                    members_counted=members,
                    per_capita_net=per_capita_net,
                    version=1,
                )
            )
        if line is not None:
            await session.merge(
                MonitoringLine(
                    province_code=village[:2] + "0" * 10, year=today.year, amount=line, version=1
                )
            )
        await session.commit()
    household.identified_on = since
    return household


def _jsonable(body: dict[str, Any]) -> dict[str, Any]:
    return {
        name: str(value) if isinstance(value, uuid.UUID | date) else value
        for name, value in body.items()
    }
