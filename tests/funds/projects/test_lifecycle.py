"""A project's life: proposed by the village, reviewed by the township, decided by the county,
started, completed, accepted, or cancelled before completion. Each step by its role, in its
area, in order, with If-Match; each recorded with actor and time and counted in the figures."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.funds.support import (
    API,
    YEAR,
    Staff,
    advance,
    allocate,
    created,
    figures_of,
    link,
    problem,
    propose,
    step,
)
from tests.support.history import history_of
from tests.support.identities import CITY, COUNTY, TokenFactory


async def test_the_whole_life_each_step_by_its_role(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        project = await propose(client, staff.officer)
        project = await advance(
            client, staff, project, "review", "approve", "start", "complete", "accept"
        )
        assert project["status"] == "accepted" and project["version"] == 6
        assert project["next_actions"] == []
        steps = [
            (t["action"], t["from_status"], t["to_status"], t["actor_role"])
            for t in project["transitions"]
        ]
        assert steps == [
            ("propose", None, "proposed", "village_officer"),
            ("review", "proposed", "reviewed", "township_reviewer"),
            ("approve", "reviewed", "approved", "county_approver"),
            ("start", "approved", "started", "county_admin"),
            ("complete", "started", "completed", "county_admin"),
            ("accept", "completed", "accepted", "county_approver"),
        ]
        assert all(
            t["acted_at"] and t["actor"].startswith("user:test-") for t in project["transitions"]
        )
    assert await figures_of(apps["funds"]) == {"projects:accepted": Decimal(1)}
    fed, audited = await history_of(apps["funds"], project["id"])
    assert fed == ["create"] + ["update"] * 5
    assert audited == ["create", "review", "approve", "start", "complete", "accept"]


async def test_out_of_order_steps_are_409_and_change_nothing(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        project = await propose(client, staff.officer)
        for action in ("approve", "start", "complete", "accept"):
            answer = await step(client, staff.admin, project, action)
            body = problem(answer, 409, "transition_out_of_order")
            assert body["status"] == "proposed" and body["allowed_actions"] == ["review", "cancel"]
        accepted = await advance(
            client, staff, project, "review", "approve", "start", "complete", "accept"
        )
        late_cancel = await step(client, staff.approver, accepted, "cancel", note="不做了")
        problem(late_cancel, 409, "transition_out_of_order")
    assert await figures_of(apps["funds"]) == {"projects:accepted": Decimal(1)}


async def test_rejection_and_cancellation_need_a_note_and_end_the_life(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        rejected = await advance(client, staff, await propose(client, staff.officer), "review")
        silent = await step(client, staff.approver, rejected, "reject")
        problem(silent, 422, "validation_failed", "body.note")
        rejected = await advance(client, staff, rejected, "reject")
        assert rejected["status"] == "rejected" and rejected["next_actions"] == []
        assert rejected["transitions"][-1]["note"] == "不符合入库条件"

        cancelled = await advance(
            client, staff, await propose(client, staff.officer), "review", "approve", "start"
        )
        cancelled = await advance(client, staff, cancelled, "cancel")
        assert cancelled["status"] == "cancelled"
        restart = await step(client, staff.clerk, cancelled, "start")
        problem(restart, 409, "transition_out_of_order")
    assert await figures_of(apps["funds"]) == {
        "projects:rejected": Decimal(1),
        "projects:cancelled": Decimal(1),
    }


async def test_each_step_is_taken_only_by_its_role(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        project = await propose(client, staff.officer)
        for headers in (
            staff.officer,
            staff.approver,
            staff.clerk,
            tokens.headers(Role.CITY_VIEWER, CITY),
        ):
            refused = await step(client, headers, project, "review")
            problem(refused, 403, "role_not_allowed_for_transition")
        reviewed = await advance(client, staff, project, "review")
        for headers in (staff.reviewer, staff.clerk):
            refused = await step(client, headers, reviewed, "approve")
            problem(refused, 403, "role_not_allowed_for_transition")
        # A county-level project has no township: the county administration reviews it.
        county_project = await propose(client, staff.clerk, area_code=COUNTY)
        by_township = await step(client, staff.reviewer, county_project, "review")
        problem(by_township, 404, "not_found")  # the county's place is outside the township
        by_county = await step(client, staff.clerk, county_project, "review")
        assert by_county.status_code == 200, by_county.text


async def test_steps_need_the_current_version(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        project = await propose(client, staff.officer)
        reviewed = await advance(client, staff, project, "review")
        stale = await step(client, staff.approver, project, "approve")
        body = problem(stale, 412, "version_mismatch")
        assert body["current"]["status"] == "reviewed" and body["current"]["version"] == 2
        missing = await client.post(
            f"{API}/projects/{project['id']}/transitions",
            json={"action": "approve"},
            headers={**staff.approver, "Idempotency-Key": "no-if-match"},
        )
        problem(missing, 428, "precondition_required")
        future = await step(client, staff.approver, reviewed, "approve", effective_on="2999-01-01")
        problem(future, 422, "validation_failed", "body.effective_on")
        dated = await step(
            client, staff.approver, reviewed, "approve", effective_on=f"{YEAR}-02-20"
        )
        assert dated.json()["transitions"][-1]["effective_on"] == f"{YEAR}-02-20"


async def test_a_project_holding_unpaid_funds_cannot_be_cancelled(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        allocation = await allocate(client, staff.clerk)
        project = await advance(
            client, staff, await propose(client, staff.officer), "review", "approve"
        )
        fund_link = created(await link(client, staff.clerk, allocation, project, "1000.00"))
        refused = await step(
            client, staff.approver, project | {"version": 3}, "cancel", note="撤项"
        )
        body = problem(refused, 409, "project_holds_linked_funds")
        assert body["unspent"] == "1000.00"
        created(
            await client.post(
                f"{API}/fund-links/{fund_link['id']}/reversals",
                json={"amount": "1000.00", "reason": "项目取消", "reversed_on": f"{YEAR}-03-06"},
                headers={**staff.clerk, "Idempotency-Key": "reduce-before-cancel"},
            )
        )
        cancelled = await step(
            client, staff.approver, project | {"version": 3}, "cancel", note="撤项"
        )
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
