"""Cases, projects, payments and loans exported through the gateway for a province system:
NDJSON and CSV with the same records, scoped by area, audited once, bad format refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from services.common.personal_data import mask_person_number
from tests.employment.loans.support import apply
from tests.employment.support import county_staff, person
from tests.funds.support import Staff, created, funded_link, pay
from tests.gateway.provincial.support import (
    PLATFORM,
    csv_rows,
    export,
    export_audits,
    ndjson,
    platform,
    problem,
)
from tests.monitoring.cases.support import Staff as CaseStaff
from tests.monitoring.cases.support import identification, open_ok
from tests.support.identities import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_VILLAGE,
    PROVINCE,
    TokenFactory,
)
from tests.support.monitoring import create_household

DATASETS = [
    ("monitoring", "cases"),
    ("funds", "projects"),
    ("funds", "payments"),
    ("employment", "loans"),
]


async def test_cases(
    gateway: AsyncClient,
    apps: dict[str, FastAPI],
    client_for: Callable[[str], AsyncClient],
    tokens: TokenFactory,
) -> None:
    ours = await create_household(apps["monitoring"])
    theirs = await create_household(apps["monitoring"], village=OTHER_VILLAGE)
    async with client_for("monitoring") as monitoring:
        case = await open_ok(monitoring, CaseStaff(tokens).officer, **identification(ours))
        other = await open_ok(
            monitoring,
            tokens.headers(Role.VILLAGE_OFFICER, OTHER_VILLAGE),
            **identification(theirs),
        )

    everything = ndjson(await export(gateway, "monitoring", "cases", platform(tokens)))
    assert {c["id"] for c in everything} == {case["id"], other["id"]}
    (mine,) = ndjson(await export(gateway, "monitoring", "cases", platform(tokens), area=COUNTY))
    assert mine["id"] == case["id"] and mine["household_id"] == str(ours.id)
    assert mine["procedure"] == "identification" and mine["state"] == case["state"]
    assert mine["proposed_risk_types"] == ["illness", "education"]

    header, rows = csv_rows(
        await export(gateway, "monitoring", "cases", platform(tokens), area=COUNTY, format="csv")
    )
    assert header == list(mine) and [row["id"] for row in rows] == [case["id"]]
    assert rows[0]["proposed_risk_types"] == '["illness", "education"]'
    assert rows[0]["closed_on"] == "" and rows[0]["opened_on"] == mine["opened_on"]


async def test_projects_and_payments(
    gateway: AsyncClient, client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as funds:
        _, project, fund_link = await funded_link(funds, staff)
        payment = created(await pay(funds, staff.clerk, fund_link, "12345.60"))

    projects = ndjson(await export(gateway, "funds", "projects", platform(tokens)))
    assert [p["id"] for p in projects] == [project["id"]]
    assert projects[0]["planned_amount"] == "500000.00" and projects[0]["status"] == "started"
    assert projects[0]["benefit_mechanisms"] == ["wages", "dividends"]
    assert projects[0]["performance_targets"][0]["unit"] == "元/户"

    payments = ndjson(await export(gateway, "funds", "payments", platform(tokens)))
    assert [p["id"] for p in payments] == [payment["id"]]
    assert payments[0]["amount"] == "12345.60" and payments[0]["project_id"] == project["id"]
    assert payments[0]["voucher_number"] == payment["voucher_number"]

    header, rows = csv_rows(
        await export(gateway, "funds", "payments", platform(tokens), format="csv")
    )
    assert header == list(payments[0])
    assert rows[0]["amount"] == "12345.60" and rows[0]["refunds_id"] == ""

    for dataset in ("projects", "payments"):
        assert (
            ndjson(await export(gateway, "funds", dataset, platform(tokens), area=OTHER_COUNTY))
            == []
        )


async def test_loans_show_the_borrower_masked_even_with_the_reveal_scope(
    gateway: AsyncClient,
    apps: dict[str, FastAPI],
    client_for: Callable[[str], AsyncClient],
    tokens: TokenFactory,
) -> None:
    ours = await person(apps["monitoring"])
    theirs = await person(apps["monitoring"], village=OTHER_VILLAGE)
    async with client_for("employment") as employment:
        loan = created(await apply(employment, county_staff(tokens), ours))
        other = created(
            await apply(employment, tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY), theirs)
        )

    revealing = platform(tokens, reveal=True)
    loans = {
        item["id"]: item for item in ndjson(await export(gateway, "employment", "loans", revealing))
    }
    assert set(loans) == {loan["id"], other["id"]}
    mine = loans[loan["id"]]
    assert mine["borrower_person_number"] == mask_person_number(ours.number)
    assert ours.number not in str(loans)
    assert mine["amount"] == "30000.00" and mine["status"] == "outstanding"
    assert mine["household_id"] == str(ours.household_id)
    assert "borrower_index" not in mine

    header, rows = csv_rows(
        await export(gateway, "employment", "loans", platform(tokens), area=COUNTY, format="csv")
    )
    assert header == list(mine) and [row["id"] for row in rows] == [loan["id"]]

    # One audit row per export, not per loan; nothing was revealed.
    audits = await export_audits(apps["employment"], PLATFORM, "loans")
    assert sorted((a.area_code, a.details["format"]) for a in audits) == [
        (PROVINCE, "ndjson"),
        (COUNTY, "csv"),
    ]
    assert not any(a.details["revealed"] for a in audits)


@pytest.mark.parametrize(("service", "dataset"), DATASETS)
async def test_scope_format_and_roles(
    gateway: AsyncClient, tokens: TokenFactory, service: str, dataset: str
) -> None:
    county = tokens.headers(Role.COUNTY_APPROVER, COUNTY)
    problem(await export(gateway, service, dataset, county, area=OTHER_COUNTY), 404, "not_found")
    body = problem(
        await export(gateway, service, dataset, platform(tokens), format="xlsx"),
        422,
        "validation_failed",
    )
    assert body["fields"][0]["field"] == "query.format"
    feed = tokens.headers(Role.DEPARTMENT_FEED, COUNTY)
    problem(await export(gateway, service, dataset, feed), 403, "role_not_allowed")
    header, rows = csv_rows(await export(gateway, service, dataset, county, format="csv"))
    assert rows == [] and header[0] == "id"
