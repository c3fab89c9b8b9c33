"""Helpers of the funds tests: who acts, requests with an Idempotency-Key, and records made
through the API the way county staff make them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select

from services.common.auth.roles import Role, Scope
from services.funds.models import FundFigure
from tests.support.identities import (
    COUNTY,
    NATION,
    OTHER_COUNTY,
    TOWNSHIP,
    VILLAGE,
    TokenFactory,
)

API = "/api/v1"
YEAR = 2025  # a past fund year: every date of the tests is behind today, whenever they run


class Staff:
    """The people of the test county (柘城县) and an outsider from the neighbouring one."""

    def __init__(self, tokens: TokenFactory) -> None:
        self.clerk = tokens.headers(Role.COUNTY_ADMIN, COUNTY)
        self.approver = tokens.headers(Role.COUNTY_APPROVER, COUNTY)
        self.officer = tokens.headers(Role.VILLAGE_OFFICER, VILLAGE)
        self.reviewer = tokens.headers(Role.TOWNSHIP_REVIEWER, TOWNSHIP)
        self.admin = tokens.headers(Role.ADMINISTRATOR, NATION)
        self.outsider = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
        self.outsider_approver = tokens.headers(Role.COUNTY_APPROVER, OTHER_COUNTY)
        self.gateway = tokens.headers(
            Role.ADMINISTRATOR, NATION, scopes=[Scope.INTERNAL.value], sub="client:gateway"
        )
        self.by_action = {
            "review": self.reviewer,
            "approve": self.approver,
            "reject": self.approver,
            "start": self.clerk,
            "complete": self.clerk,
            "accept": self.approver,
            "cancel": self.approver,
        }


def posting(headers: dict[str, str], **extra: str) -> dict[str, str]:
    """The headers plus a fresh Idempotency-Key, which every POST needs."""
    return {**headers, "Idempotency-Key": str(uuid.uuid4()), **extra}


def problem(answer: Response, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """Assert a problem+json answer with this status and code, naming `field` if given."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["code"] == code, body
    if field is not None:
        assert field in [item["field"] for item in body["fields"]], body
    return body


def rule_of(answer: Response, field: str) -> str:
    return next(str(item["rule"]) for item in answer.json()["fields"] if item["field"] == field)


def created(answer: Response) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def allocation_body(**overrides: Any) -> dict[str, Any]:
    return {
        "area_code": COUNTY,
        "year": YEAR,
        "level": "central",
        "document_number": "财农〔2025〕8号",
        "issued_on": f"{YEAR}-02-10",
        "amount": "1000000.00",
        "title": "中央财政衔接推进乡村振兴补助资金",
        **overrides,
    }


def project_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "肉牛养殖扶贫车间",
        "category": "industry",
        "area_code": VILLAGE,
        "year": YEAR,
        "responsible_unit": "县农业农村局",
        "planned_start": f"{YEAR}-03-01",
        "planned_end": f"{YEAR}-10-31",
        "planned_amount": "500000.00",
        "beneficiary_households": 40,
        "beneficiary_people": 120,
        "benefit_mechanisms": ["wages", "dividends"],
        "performance_targets": [
            {"indicator": "带动脱贫户增收", "target_value": "1500", "unit": "元/户"}
        ],
        **overrides,
    }


async def allocate(
    client: AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    answer = await client.post(
        f"{API}/allocations", json=allocation_body(**overrides), headers=posting(headers)
    )
    return created(answer)


async def propose(client: AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    answer = await client.post(
        f"{API}/projects", json=project_body(**overrides), headers=posting(headers)
    )
    return created(answer)


async def step(
    client: AsyncClient,
    headers: dict[str, str],
    project: dict[str, Any],
    action: str,
    **body: Any,
) -> Response:
    return await client.post(
        f"{API}/projects/{project['id']}/transitions",
        json={"action": action, **body},
        headers=posting(headers, **{"If-Match": f'"{project["version"]}"'}),
    )


async def advance(
    client: AsyncClient, staff: Staff, project: dict[str, Any], *actions: str
) -> dict[str, Any]:
    """Take the project through `actions`, each by the role that takes it."""
    for action in actions:
        note = {"note": "不符合入库条件"} if action in ("reject", "cancel") else {}
        answer = await step(client, staff.by_action[action], project, action, **note)
        assert answer.status_code == 200, answer.text
        project = answer.json()
    return project


async def started_project(client: AsyncClient, staff: Staff, **overrides: Any) -> dict[str, Any]:
    project = await propose(client, staff.officer, **overrides)
    return await advance(client, staff, project, "review", "approve", "start")


async def link(
    client: AsyncClient,
    headers: dict[str, str],
    allocation: dict[str, Any],
    project: dict[str, Any],
    amount: str,
    **extra: Any,
) -> Response:
    body = {
        "allocation_id": allocation["id"],
        "project_id": project["id"],
        "amount": amount,
        "linked_on": f"{YEAR}-03-05",
        **extra,
    }
    return await client.post(f"{API}/fund-links", json=body, headers=posting(headers))


async def pay(
    client: AsyncClient,
    headers: dict[str, str],
    fund_link: dict[str, Any],
    amount: str,
    **extra: Any,
) -> Response:
    body = {
        "link_id": fund_link["id"],
        "amount": amount,
        "voucher_number": f"记-{uuid.uuid4().hex[:8]}",
        "paid_on": f"{YEAR}-04-20",
        **extra,
    }
    return await client.post(f"{API}/payments", json=body, headers=posting(headers))


async def funded_link(
    client: AsyncClient, staff: Staff, amount: str = "100000.00", **project: Any
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(allocation, started project, link of `amount` from the one to the other)."""
    allocation = await allocate(client, staff.clerk)
    started = await started_project(client, staff, **project)
    fund_link = created(await link(client, staff.clerk, allocation, started, amount))
    return allocation, started, fund_link


async def figures_of(app: FastAPI, county: str = COUNTY, year: int = YEAR) -> dict[str, Decimal]:
    """The stored figures of a county and year, summed over their slots."""
    async with app.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(FundFigure.metric, func.sum(FundFigure.value))
            .where(FundFigure.county_code == county, FundFigure.year == year)
            .group_by(FundFigure.metric)
        )
        return {metric: Decimal(value) for metric, value in rows.all() if value != 0}
