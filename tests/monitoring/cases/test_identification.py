"""Identification (识别纳入): the five steps by their roles, and what the county's approval does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.business_time import business_today
from services.common.tables import audit_log, changes
from services.monitoring.models import Case
from tests.monitoring.cases.support import (
    CASES,
    Staff,
    act,
    act_ok,
    backdate,
    figures,
    household_row,
    identification,
    open_case,
    open_ok,
    problem,
    through_county,
    through_village,
)
from tests.support.identities import VILLAGE, TokenFactory
from tests.support.monitoring import create_household


async def test_a_full_identification_makes_the_household_monitored(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, staff, today = apps["monitoring"], Staff(tokens), business_today()
    household = await create_household(app, members=4, kind="exited_poverty")
    async with client_for("monitoring") as client:
        answer = await open_case(client, staff.officer, **identification(household))
        assert answer.status_code == 201, answer.text
        assert answer.headers["ETag"] == '"1"'
        case = answer.json()
        assert answer.headers["Location"] == f"{CASES}/{case['id']}"
        assert case["state"] == "home_verification" and case["next_role"] == "village_officer"
        assert case["opened_on"] == today.isoformat()
        assert case["deadline_on"] == (today + timedelta(days=15)).isoformat()
        assert case["proposed_risk_types"] == ["illness", "education"]
        assert [step["step"] for step in case["steps"]] == ["opening"]

        case = await act_ok(client, staff.officer, case, "home_verification", consent_signed=True)
        assert case["state"] == "data_comparison"
        case = await act_ok(client, staff.officer, case, "data_comparison", findings="一致")
        assert case["state"] == "village_review"
        # The notice must have run its five days before the township completes its review.
        await backdate(app, case["id"], days=10)
        notice = today - timedelta(days=5)
        case = await act_ok(
            client, staff.officer, case, "village_review", notice_started_on=notice, objections=[]
        )
        assert case["state"] == "township_review" and case["next_role"] == "township_reviewer"
        assert case["notice_ends_on"] == today.isoformat()
        case = await act_ok(client, staff.reviewer, case, "township_review", findings="同意")
        assert case["state"] == "county_approval" and case["next_role"] == "county_approver"
        case = await act_ok(client, staff.approver, case, "county_approval", findings="批准")

        assert case["state"] == "closed" and case["outcome"] == "approved"
        assert case["closed_on"] == today.isoformat() and case["next_role"] is None
        steps = case["steps"]
        assert [(step["step"], step["action"]) for step in steps] == [
            ("opening", "open"),
            ("home_verification", "complete"),
            ("data_comparison", "complete"),
            ("village_review", "complete"),
            ("township_review", "complete"),
            ("county_approval", "complete"),
        ]
        assert steps[1]["details"] == {"consent_signed": True}
        assert steps[3]["details"]["objections"] == []
        assert steps[4]["actor_role"] == "township_reviewer"
        assert steps[5]["actor"] == f"user:test-county_approver-{'411424000000'}"

        read = await client.get(f"{CASES}/{case['id']}", headers=staff.officer)
        assert read.status_code == 200 and read.json() == case
        assert read.headers["ETag"] == f'"{case["version"]}"'

    monitored = await household_row(app, household.id)
    assert monitored.monitoring_status == "monitored"
    assert monitored.monitoring_category == "marginal"
    assert monitored.risk_types == ["illness", "education"]
    assert monitored.identified_on == today
    assert monitored.version == 2
    current = await figures(app)
    assert current["monitored_households"] == 1
    assert current["monitored_people"] == 4
    assert current["monitored_households:marginal"] == 1
    assert current["monitored_people:marginal"] == 4
    assert "monitored_not_exited_households" not in current
    year = await figures(app, year=today.year)
    assert year == {"newly_identified_households": 1, "newly_identified_people": 4}


async def test_the_household_and_case_changes_reach_the_feed(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, staff = apps["monitoring"], Staff(tokens)
    household = await create_household(app)
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.county_admin, **identification(household))
        await through_county(client, app, staff, case)
    async with app.state.database.sessionmaker() as session:
        fed = (
            await session.execute(
                select(changes.c.entity, changes.c.version).where(
                    changes.c.entity_id.in_([case["id"], str(household.id)])
                )
            )
        ).all()
        audited = list(
            (
                await session.execute(
                    select(audit_log.c.action).where(audit_log.c.entity_id == case["id"])
                )
            ).scalars()
        )
    assert ("household", 2) in fed
    assert sorted(version for entity, version in fed if entity == "case") == [1, 2, 3, 4, 5, 6]
    assert audited.count("complete") == 5 and "create" in audited


async def test_a_step_by_the_wrong_role_is_403(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **identification(household))
        for headers in (staff.reviewer, staff.approver, staff.county_admin):
            answer = await act(client, headers, case, "home_verification", consent_signed=True)
            problem(answer, 403, "role_not_allowed_for_step")
        answer = await act(client, staff.officer, case, "township_review")
        problem(answer, 403, "role_not_allowed_for_step")


async def test_a_step_other_than_the_current_one_is_out_of_order(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **identification(household))
        body = problem(
            await act(client, staff.reviewer, case, "township_review"), 409, "step_out_of_order"
        )
        assert body["state"] == "home_verification"
        problem(await act(client, staff.officer, case, "village_review"), 409, "step_out_of_order")
        read = await client.get(f"{CASES}/{case['id']}", headers=staff.officer)
        assert read.json()["version"] == 1 and len(read.json()["steps"]) == 1


async def test_the_township_waits_for_the_notice_to_run(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff, today = Staff(tokens), business_today()
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **identification(household))
        case = await act_ok(client, staff.officer, case, "home_verification", consent_signed=True)
        case = await act_ok(client, staff.officer, case, "data_comparison")
        missing = await act(client, staff.officer, case, "village_review")
        problem(missing, 422, "validation_failed", "required")
        future = await act(
            client,
            staff.officer,
            case,
            "village_review",
            notice_started_on=today + timedelta(days=1),
        )
        problem(future, 422, "validation_failed", "date_in_future")
        early = await act(
            client,
            staff.officer,
            case,
            "village_review",
            notice_started_on=today - timedelta(days=1),
        )
        problem(early, 422, "validation_failed", "before_case_opened")
        case = await act_ok(
            client,
            staff.officer,
            case,
            "village_review",
            notice_started_on=today,
            objections=["邻居认为收入偏低"],
        )
        assert case["notice_started_on"] == today.isoformat()
        assert case["notice_ends_on"] == (today + timedelta(days=5)).isoformat()
        running = await act(client, staff.reviewer, case, "township_review")
        body = problem(running, 422, "notice_period_running", "notice_period_running")
        assert body["notice_ends_on"] == (today + timedelta(days=5)).isoformat()
        # Rejecting needs no waiting: objections in the notice may be the reason.
        rejected = await act_ok(
            client, staff.reviewer, case, "township_review", "reject", findings="公示有异议"
        )
        assert rejected["outcome"] == "rejected"


async def test_identification_needs_the_signed_consent(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **identification(household))
        without = await act(client, staff.officer, case, "home_verification")
        problem(without, 422, "validation_failed", "consent_required")
        refused = await act(client, staff.officer, case, "home_verification", consent_signed=False)
        body = problem(refused, 422, "validation_failed", "consent_required")
        assert body["fields"][0]["field"] == "body.consent_signed"
        foreign = await act(
            client,
            staff.officer,
            case,
            "home_verification",
            consent_signed=True,
            notice_started_on=business_today(),
        )
        problem(foreign, 422, "validation_failed", "not_for_step")


async def test_send_back_returns_to_the_previous_step_and_restarts_the_notice(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, staff = apps["monitoring"], Staff(tokens)
    household = await create_household(app)
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **identification(household))
        first = await act(
            client, staff.officer, case, "home_verification", "send_back", findings="x"
        )
        problem(first, 409, "cannot_send_back")
        case = await through_village(client, app, staff, case)
        no_reason = await act(client, staff.reviewer, case, "township_review", "send_back")
        problem(no_reason, 422, "validation_failed", "required")
        case = await act_ok(
            client, staff.reviewer, case, "township_review", "send_back", findings="评议记录不全"
        )
        assert case["state"] == "village_review" and case["notice_started_on"] is None
        assert case["steps"][-1]["action"] == "send_back"
        assert case["steps"][-1]["findings"] == "评议记录不全"
        case = await act_ok(
            client, staff.officer, case, "village_review", "send_back", findings="重新比对"
        )
        assert case["state"] == "data_comparison" and case["closed_on"] is None


async def test_reject_closes_the_case_and_is_for_reviewers_only(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, staff = apps["monitoring"], Staff(tokens)
    household = await create_household(app)
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **identification(household))
        by_village = await act(
            client, staff.officer, case, "home_verification", "reject", findings="不符合"
        )
        problem(by_village, 403, "role_not_allowed_for_step")
        case = await through_village(client, app, staff, case)
        case = await act_ok(client, staff.reviewer, case, "township_review")
        no_reason = await act(client, staff.approver, case, "county_approval", "reject")
        problem(no_reason, 422, "validation_failed", "required")
        case = await act_ok(
            client, staff.approver, case, "county_approval", "reject", findings="收入高于监测线"
        )
        assert case["state"] == "closed" and case["outcome"] == "rejected"
        closed = await act(client, staff.approver, case, "county_approval")
        problem(closed, 409, "case_closed")
        # A rejected identification leaves the household as it was, and a new case may open.
        again = await open_case(client, staff.officer, **identification(household))
        assert again.status_code == 201, again.text
    assert (await household_row(app, household.id)).monitoring_status == "none"
    assert "monitored_households" not in await figures(app)


async def test_one_open_case_per_household_and_procedure(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        await open_ok(client, staff.officer, **identification(household))
        second = await open_case(client, staff.county_admin, **identification(household))
        problem(second, 409, "case_already_open")


async def test_a_monitored_household_cannot_be_identified_again(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"], status="monitored", category="marginal")
    async with client_for("monitoring") as client:
        answer = await open_case(client, staff.officer, **identification(household))
        problem(answer, 409, "household_already_monitored")


async def test_unknown_codes_are_422(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        for field, value in (
            ("source", "rumour"),
            ("proposed_category", "poor"),
            ("proposed_risk_types", ["illness", "bad_luck"]),
        ):
            answer = await open_case(
                client, staff.officer, **identification(household, **{field: value})
            )
            body = problem(answer, 422, "validation_failed", "code_unknown")
            assert body["fields"][0]["field"] == f"body.{field}"


async def test_a_department_warning_case_is_opened_on_the_warning_only(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, staff = apps["monitoring"], Staff(tokens)
    household = await create_household(app)
    async with client_for("monitoring") as client:
        answer = await open_case(
            client,
            staff.officer,
            **identification(
                household, source="department_warning", source_reference="医保局2024-07批"
            ),
        )
    body = problem(answer, 422, "validation_failed", "use_warning_route")
    assert body["fields"][0]["field"] == "body.source"
    assert "POST /api/v1/warnings/{id}/case" in body["fields"][0]["message"]
    async with app.state.database.sessionmaker() as session:
        opened = (await session.scalars(select(Case.id))).all()
        fed = (await session.scalars(select(changes.c.seq).where(changes.c.entity == "case"))).all()
        # The audit log is append-only (kept across tests): the refused request's own rows.
        audited = (
            await session.scalars(
                select(audit_log.c.id).where(
                    audit_log.c.request_id == answer.headers["X-Request-ID"]
                )
            )
        ).all()
    assert (opened, fed, audited) == ([], [], [])
    assert (await household_row(app, household.id)).monitoring_status == "none"


async def test_the_fields_of_each_procedure_are_checked(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        answer = await open_case(
            client,
            staff.officer,
            household_id=household.id,
            procedure="identification",
            elimination_kind="natural",
        )
        body = problem(answer, 422, "validation_failed")
        assert {(f["field"], f["rule"]) for f in body["fields"]} == {
            ("body.source", "required"),
            ("body.proposed_category", "required"),
            ("body.proposed_risk_types", "required"),
            ("body.elimination_kind", "not_for_procedure"),
        }
        twice = await open_case(
            client,
            staff.officer,
            **identification(household, proposed_risk_types=["illness", "illness"]),
        )
        problem(twice, 422, "validation_failed", "duplicate")
        six = ["illness", "disability", "education", "accident", "lack_of_labour", "other"]
        too_many = await open_case(
            client, staff.officer, **identification(household, proposed_risk_types=six)
        )
        problem(too_many, 422, "validation_failed", "too_long")
        extra = await open_case(client, staff.officer, **identification(household, note="x"))
        problem(extra, 422, "validation_failed", "extra_forbidden")
        no_key = await client.post(
            CASES,
            json={**identification(household), "household_id": str(household.id)},
            headers=staff.officer,
        )
        problem(no_key, 422, "validation_failed")


async def test_only_officers_and_administrators_open_cases(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"], village=VILLAGE)
    async with client_for("monitoring") as client:
        for headers in (staff.reviewer, staff.approver):
            answer = await open_case(client, headers, **identification(household))
            problem(answer, 403, "role_not_allowed")
        admin = await open_case(client, tokens.administrator(), **identification(household))
        assert admin.status_code == 201, admin.text


async def test_a_case_recorded_late_keeps_its_opening_day(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff, today = Staff(tokens), business_today()
    household = await create_household(apps["monitoring"])
    opened = today - timedelta(days=8)
    async with client_for("monitoring") as client:
        future = await open_case(
            client, staff.officer, **identification(household, opened_on=today + timedelta(1))
        )
        problem(future, 422, "validation_failed", "date_in_future")
        too_old = await open_case(
            client, staff.officer, **identification(household, opened_on=today - timedelta(31))
        )
        problem(too_old, 422, "validation_failed", "too_far_back")

        case = await open_ok(client, staff.officer, **identification(household, opened_on=opened))
        assert case["opened_on"] == opened.isoformat()
        assert case["deadline_on"] == (opened + timedelta(days=15)).isoformat()
        case = await act_ok(client, staff.officer, case, "home_verification", consent_signed=True)
        case = await act_ok(client, staff.officer, case, "data_comparison")
        case = await act_ok(
            client, staff.officer, case, "village_review", notice_started_on=opened, objections=[]
        )
        # The notice started on the opening day has run: the township completes its review today.
        case = await act_ok(client, staff.reviewer, case, "township_review", findings="同意")
        assert case["state"] == "county_approval"
