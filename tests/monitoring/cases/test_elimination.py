"""Risk elimination (风险消除): every rule named when unmet, the shorter chain, and the figures."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select, update

from services.common.business_time import business_today
from services.common.tables import changes
from services.monitoring.cases.periods import months_before
from services.monitoring.models import CaseStep, Member, MonitoringLine
from tests.monitoring.cases.support import (
    CASES,
    Staff,
    act,
    act_ok,
    elimination,
    elimination_candidate,
    figures,
    household_row,
    idempotent,
    open_case,
    open_ok,
    problem,
    through_county,
    through_village,
)
from tests.support.identities import TokenFactory
from tests.support.monitoring import create_household

ALL_RULES = {
    "monitored_six_months",
    "has_measure",
    "income_above_line",
    "someone_able_to_work",
    "large_costs_resolved",
    "guarantees_secure",
}


async def test_every_unmet_rule_is_named(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(
        apps["monitoring"], status="monitored", category="marginal", labour_ability="none"
    )
    async with client_for("monitoring") as client:
        answer = await open_case(
            client,
            staff.officer,
            **elimination(household, large_costs_resolved=False, guarantees_secure=False),
        )
        body = problem(answer, 422, "elimination_rules_unmet")
        assert {field["rule"] for field in body["fields"]} == ALL_RULES
        assert body["facts"]["monitored_since"] is None
        assert body["facts"]["members_able_to_work"] == 0


@pytest.mark.parametrize(
    ("rule", "setup", "body"),
    [
        ("monitored_six_months", {"months": 5}, {}),
        ("has_measure", {"measure": False}, {}),
        ("income_above_line", {"per_capita_net": Decimal("7000.00")}, {}),
        ("income_above_line", {"per_capita_net": None}, {}),
        ("income_above_line", {"line": None}, {}),
        ("someone_able_to_work", {"labour_ability": "lost"}, {}),
        ("large_costs_resolved", {}, {"large_costs_resolved": False}),
        ("guarantees_secure", {}, {"guarantees_secure": False}),
    ],
)
async def test_one_unmet_rule_is_named_alone(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    rule: str,
    setup: dict[str, Any],
    body: dict[str, Any],
) -> None:
    setup = dict(setup)
    if "months" in setup:
        setup["monitored_since"] = months_before(business_today(), setup.pop("months"))
    household = await elimination_candidate(apps["monitoring"], **setup)
    async with client_for("monitoring") as client:
        answer = await open_case(client, Staff(tokens).officer, **elimination(household, **body))
        problem_body = problem(answer, 422, "elimination_rules_unmet", rule)
        assert len(problem_body["fields"]) == 1


async def test_last_years_income_counts_when_this_year_has_none(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    household = await elimination_candidate(apps["monitoring"], year=business_today().year - 1)
    async with client_for("monitoring") as client:
        case = await open_ok(client, Staff(tokens).officer, **elimination(household))
    facts = case["steps"][0]["details"]["facts"]
    assert facts["income_year"] == business_today().year - 1
    assert facts["per_capita_net"] == "9000.00" and facts["monitoring_line"] == "7000.00"


async def test_last_years_income_is_judged_by_this_years_line(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    """Above last year's line (6,500) but not above this year's (7,000): refused."""
    app, last_year = apps["monitoring"], business_today().year - 1
    household = await elimination_candidate(app, year=last_year, per_capita_net=Decimal("6800.00"))
    async with app.state.database.sessionmaker() as session:
        province = household.area_code[:2] + "0" * 10
        session.add(MonitoringLine(province_code=province, year=last_year, amount=6500, version=1))
        await session.commit()
    async with client_for("monitoring") as client:
        refused = await open_case(client, Staff(tokens).officer, **elimination(household))
    body = problem(refused, 422, "elimination_rules_unmet", "income_above_line")
    assert len(body["fields"]) == 1 and body["facts"]["monitoring_line"] == "7000.00"


async def test_an_approved_elimination_moves_the_household_and_figures(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, staff, today = apps["monitoring"], Staff(tokens), business_today()
    household = await elimination_candidate(app, members=3)
    before = await figures(app)
    assert before["monitored_households"] == 1 and before["monitored_people"] == 3
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **elimination(household))
        assert case["state"] == "home_verification"
        assert case["proposed_risk_types"] == ["illness"]  # the household's own
        assert case["elimination_kind"] == "by_help" and case["source"] is None
        opening = case["steps"][0]["details"]
        assert opening["large_costs_resolved"] is True and opening["guarantees_secure"] is True
        case = await through_county(client, app, staff, case)
    assert case["outcome"] == "approved"
    assert [step["step"] for step in case["steps"]] == [
        "opening",
        "home_verification",
        "village_review",
        "township_review",
        "county_approval",
    ]
    # The county's approval checked the rules again and keeps the facts it read.
    assert case["steps"][-1]["details"]["facts"]["members_able_to_work"] == 3
    eliminated = await household_row(app, household.id)
    assert eliminated.monitoring_status == "eliminated" and eliminated.eliminated_on == today
    assert eliminated.monitoring_category == "marginal"
    after = await figures(app)
    assert "monitored_households" not in after and "monitored_people" not in after
    assert "monitored_households:marginal" not in after
    assert after["eliminated_households"] == 1 and after["eliminated_people"] == 3
    assert after["households"] == before["households"]


async def test_elimination_has_no_data_comparison_and_needs_no_consent(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await elimination_candidate(apps["monitoring"])
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **elimination(household))
        case = await act_ok(client, staff.officer, case, "home_verification")
        assert case["state"] == "village_review"
        answer = await act(client, staff.officer, case, "data_comparison")
        problem(answer, 422, "validation_failed", "step_not_in_procedure")


async def test_only_a_monitored_household_is_eliminated(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        answer = await open_case(client, staff.officer, **elimination(household))
        problem(answer, 409, "household_not_monitored")


async def test_the_fields_of_an_elimination_are_checked(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await elimination_candidate(apps["monitoring"])
    async with client_for("monitoring") as client:
        answer = await open_case(
            client,
            staff.officer,
            household_id=household.id,
            procedure="elimination",
            source="application",
            proposed_category="marginal",
        )
        body = problem(answer, 422, "validation_failed")
        assert {(f["field"], f["rule"]) for f in body["fields"]} == {
            ("body.elimination_kind", "required"),
            ("body.large_costs_resolved", "required"),
            ("body.guarantees_secure", "required"),
            ("body.source", "not_for_procedure"),
            ("body.proposed_category", "not_for_procedure"),
        }
        unknown = await open_case(
            client, staff.officer, **elimination(household, elimination_kind="by_magic")
        )
        problem(unknown, 422, "validation_failed", "code_unknown")
        await open_ok(client, staff.officer, **elimination(household))
        again = await open_case(client, staff.officer, **elimination(household))
        problem(again, 409, "case_already_open")


async def test_the_county_checks_the_rules_again_before_approving(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, staff = apps["monitoring"], Staff(tokens)
    household = await elimination_candidate(app, members=2)
    async with app.state.database.sessionmaker() as session:
        # The head cannot work: the son is the only member able to.
        await session.execute(
            update(Member)
            .where(Member.household_id == household.id, Member.relationship == "head")
            .values(labour_ability="none")
        )
        await session.commit()
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **elimination(household))
        assert case["steps"][0]["details"]["facts"]["members_able_to_work"] == 1
        case = await through_village(client, app, staff, case)
        case = await act_ok(client, staff.reviewer, case, "township_review", findings="同意")
        # During the review the son moves away (成员减少).
        read = await client.get(f"/api/v1/households/{household.id}", headers=staff.officer)
        son = next(m["id"] for m in read.json()["members"] if m["relationship"] != "head")
        left = await client.post(
            f"/api/v1/members/{son}/leave",
            json={"left_on": business_today().isoformat(), "reason": "moved_out"},
            headers=idempotent(staff.officer),
        )
        assert left.status_code == 200, left.text
        before = await figures(app)
        fed_before = await _fed(app, case["id"], household.id)

        refused = await act(client, staff.approver, case, "county_approval", findings="批准")

        body = problem(refused, 422, "elimination_rules_unmet", "someone_able_to_work")
        assert len(body["fields"]) == 1 and body["fields"][0]["field"] == "household.members"
        assert body["facts"]["members_able_to_work"] == 0
        after = (await client.get(f"{CASES}/{case['id']}", headers=staff.approver)).json()
    assert after["state"] == "county_approval" and after["version"] == case["version"]
    assert after["closed_on"] is None and after["outcome"] is None
    assert len(after["steps"]) == len(case["steps"])
    unchanged = await household_row(app, household.id)
    assert unchanged.monitoring_status == "monitored" and unchanged.eliminated_on is None
    assert await figures(app) == before
    assert await _fed(app, case["id"], household.id) == fed_before


async def _fed(app: FastAPI, case_id: str, household_id: uuid.UUID) -> tuple[int, int]:
    """Change-feed rows of the case and the household, and the case's step rows."""
    async with app.state.database.sessionmaker() as session:
        fed = await session.scalar(
            select(func.count()).where(changes.c.entity_id.in_([case_id, str(household_id)]))
        )
        steps = await session.scalar(
            select(func.count()).where(CaseStep.case_id == uuid.UUID(case_id))
        )
    return int(fed or 0), int(steps or 0)
