"""Pushing queued field operations (上传离线操作): each outcome kind, replays, field merge,
another village's ids, malformed operations beside good ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.common.auth.roles import Role
from services.monitoring.models import Household, Member, SyncOperation, Visit
from tests.monitoring.sync.support import new_household, op, push, update_member, visit
from tests.support.identities import OTHER_VILLAGE, VILLAGE, TokenFactory
from tests.support.monitoring import create_household, person_number

Client = Callable[[str], httpx.AsyncClient]


async def visit_count(app: FastAPI) -> int:
    async with app.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Visit)) or 0)


async def test_applied_then_already_applied_on_replay(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"])
    officer = tokens.village_officer()
    first = visit(household.id)
    async with client_for("monitoring") as client:
        applied = await push(client, officer, [first])
        replayed = await push(client, officer, [first, first])
    assert applied[0]["status"] == "applied", applied
    assert applied[0]["entity"] == "visit" and applied[0]["version"] == 1
    assert [o["status"] for o in replayed] == ["already_applied", "already_applied"]
    assert replayed[0]["record_id"] == applied[0]["record_id"]
    assert await visit_count(apps["monitoring"]) == 1
    async with apps["monitoring"].state.database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(SyncOperation)) == 1


async def test_same_id_in_one_batch_applies_once(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"])
    once = visit(household.id)
    async with client_for("monitoring") as client:
        outcomes = await push(client, tokens.village_officer(), [once, once])
    assert [o["status"] for o in outcomes] == ["applied", "already_applied"]
    assert await visit_count(apps["monitoring"]) == 1


async def test_operation_id_reused_with_another_payload(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"])
    first = visit(household.id, "第一次")
    other = {**visit(household.id, "另一次"), "operation_id": first["operation_id"]}
    async with client_for("monitoring") as client:
        await push(client, tokens.village_officer(), [first])
        outcomes = await push(client, tokens.village_officer(), [other])
    assert outcomes[0]["status"] == "rejected"
    assert outcomes[0]["problem"]["code"] == "operation_id_reused"


async def test_replay_is_per_principal(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"])
    same = visit(household.id)
    async with client_for("monitoring") as client:
        await push(client, tokens.headers(Role.VILLAGE_OFFICER, VILLAGE, sub="user:a"), [same])
        other = await push(
            client, tokens.headers(Role.VILLAGE_OFFICER, VILLAGE, sub="user:b"), [same]
        )
    assert other[0]["status"] == "applied"
    assert await visit_count(apps["monitoring"]) == 2


async def test_stale_update_of_other_fields_merges(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"])
    member_id = await _second_member(apps["monitoring"], household.id)
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        # Someone else changes the work place first (version 1 -> 2).
        first = await push(
            client, officer, [update_member(member_id, 1, work_place=(None, "浙江宁波"))]
        )
        # The device, still at version 1, changes only the work months.
        merged = await push(client, officer, [update_member(member_id, 1, work_months=(None, 8))])
    assert first[0]["status"] == "applied" and first[0]["version"] == 2
    assert merged[0]["status"] == "applied", merged
    assert merged[0]["version"] == 3
    async with apps["monitoring"].state.database.sessionmaker() as session:
        member = await session.get(Member, member_id)
    assert member is not None and member.work_place == "浙江宁波" and member.work_months == 8


async def test_stale_update_of_the_same_field_conflicts_with_the_current_record(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"])
    member_id = await _second_member(apps["monitoring"], household.id)
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        await push(client, officer, [update_member(member_id, 1, work_place=(None, "浙江宁波"))])
        stale = await push(
            client,
            officer,
            [update_member(member_id, 1, work_place=(None, "广东东莞"), work_months=(None, 6))],
        )
    outcome = stale[0]
    assert outcome["status"] == "conflict", outcome
    assert outcome["conflicting_fields"] == ["work_place"]
    assert outcome["current"]["work_place"] == "浙江宁波" and outcome["current"]["version"] == 2
    assert outcome["current"]["person_number"].count("*") >= 8  # masked
    assert outcome["problem"]["code"] == "version_mismatch"


async def test_rule_failures_name_the_field_inside_the_operation(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    # The service's rules name the REST body's fields; a device finds them in its operation.
    household = await create_household(apps["monitoring"])
    member_id = await _second_member(apps["monitoring"], household.id)
    async with client_for("monitoring") as client:
        outcomes = await push(
            client,
            tokens.village_officer(),
            [
                update_member(member_id, 1, relationship=(None, "cousin_twice_removed")),
                update_member(member_id, 1, work_months=(None, 13)),
                op("leave_member", member_id=str(member_id), left_on="2025-01-01", reason="x"),
            ],
        )
    assert [o["status"] for o in outcomes] == ["rejected"] * 3, outcomes
    named = [[(f["field"], f["rule"]) for f in o["problem"]["fields"]] for o in outcomes]
    assert named == [
        [("operations.0.changes.relationship.value", "code_unknown")],
        [("operations.1.changes.work_months.value", "less_than_equal")],
        [("operations.2.reason", "code_unknown")],
    ]


async def test_fields_are_named_as_the_operation_sent_them(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    created = new_household()
    member = new_household()["household"]["members"][1]
    added = op("add_member", household_ref=created["operation_id"], member=member)
    # The member's own household, given by reference: refused as `to_household_ref`.
    home = op(
        "move_member",
        member_ref=added["operation_id"],
        to_household_ref=created["operation_id"],
        relationship="son",
        reason="分户",
    )
    unstorable = new_household()
    unstorable["household"]["address"] = "一组\x003号"  # NUL: the whole body is named
    async with client_for("monitoring") as client:
        outcomes = await push(client, tokens.village_officer(), [created, added, home, unstorable])
    assert [o["status"] for o in outcomes] == ["applied", "applied", "rejected", "rejected"]
    named = [[(f["field"], f["rule"]) for f in o["problem"]["fields"]] for o in outcomes[2:]]
    assert named == [
        [("operations.2.to_household_ref", "same_household")],
        [("operations.3.household", "unsupported_character")],
    ]


async def test_other_village_answers_not_found(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    elsewhere = await create_household(apps["monitoring"], village=OTHER_VILLAGE)
    member_id = await _second_member(apps["monitoring"], elsewhere.id)
    async with client_for("monitoring") as client:
        outcomes = await push(
            client,
            tokens.village_officer(),
            [
                visit(elsewhere.id),
                update_member(member_id, 1, work_months=(None, 3)),
                new_household(village=OTHER_VILLAGE),
            ],
        )
    assert [o["status"] for o in outcomes] == ["rejected"] * 3
    assert [o["problem"]["code"] for o in outcomes[:2]] == ["not_found", "not_found"]
    assert [(f["field"], f["rule"]) for f in outcomes[2]["problem"]["fields"]] == [
        ("operations.2.household.area_code", "area_out_of_scope")
    ]
    assert await visit_count(apps["monitoring"]) == 0


async def test_malformed_operations_are_rejected_while_the_others_apply(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"])
    good, later = visit(household.id), visit(household.id, "第二次")
    broken = visit(household.id)
    del broken["visit"]["findings"]
    operations = [
        good,
        op("teleport_household", household_id=str(household.id)),
        broken,
        "not an operation",
        {**visit(household.id), "operation_id": "not-a-uuid"},
        later,
    ]
    async with client_for("monitoring") as client:
        outcomes = await push(client, tokens.village_officer(), operations)
    assert [o["status"] for o in outcomes] == [
        "applied",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "applied",
    ]
    assert outcomes[1]["problem"]["code"] == "operation_kind_unknown"
    assert outcomes[1]["kind"] == "teleport_household"
    assert outcomes[2]["problem"]["fields"][0]["field"] == "operations.2.visit.findings"
    assert outcomes[2]["operation_id"] == broken["operation_id"]
    assert outcomes[3]["operation_id"] is None
    assert outcomes[4]["problem"]["fields"][0]["field"] == "operations.4.operation_id"
    assert await visit_count(apps["monitoring"]) == 2


async def test_failing_rule_undoes_only_its_own_operation(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"])
    revisit = visit(household.id)
    revisit["visit"]["kind"] = "revisit"  # the household's risk is not eliminated: 409 rule
    async with client_for("monitoring") as client:
        outcomes = await push(client, tokens.village_officer(), [revisit, visit(household.id)])
    assert outcomes[0]["problem"]["code"] == "household_not_eliminated"
    assert outcomes[1]["status"] == "applied"
    assert await visit_count(apps["monitoring"]) == 1


async def test_risk_found_after_elimination_is_pushed_as_a_revisit(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"], status="eliminated", category="marginal")
    risky = visit(household.id, "家中老人住院")
    risky["visit"]["risk_found"] = True
    revisit = visit(household.id, "家中老人住院")
    revisit["visit"] |= {"kind": "revisit", "risk_found": True}
    async with client_for("monitoring") as client:
        outcomes = await push(client, tokens.village_officer(), [risky, revisit])
    assert outcomes[0]["status"] == "rejected", outcomes
    assert [(f["field"], f["rule"]) for f in outcomes[0]["problem"]["fields"]] == [
        ("operations.0.visit.kind", "revisit_required")
    ]
    assert outcomes[1]["status"] == "applied", outcomes
    assert outcomes[1]["related"]["reopened_case_id"] is not None
    assert await visit_count(apps["monitoring"]) == 1


async def test_offline_household_then_member_by_reference(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    created = new_household()
    member = new_household()["household"]["members"][1]
    added = op("add_member", household_ref=created["operation_id"], member=member)
    visited = visit("x")
    del visited["household_id"]
    visited["household_ref"] = created["operation_id"]
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        early = await push(client, officer, [added])  # out of order: the household is not there
        outcomes = await push(client, officer, [created, added, visited])
    assert early[0]["problem"]["code"] == "dependency_pending"
    assert early[0]["problem"]["retryable"] is True
    assert [o["status"] for o in outcomes] == ["applied"] * 3
    assert outcomes[0]["entity"] == "household" and outcomes[1]["entity"] == "member"


async def test_case_opened_then_home_verification(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"])
    opening = op(
        "open_case",
        case={
            "household_id": str(household.id),
            "procedure": "identification",
            "source": "officer_finding",
            "proposed_category": "marginal",
            "proposed_risk_types": ["illness"],
        },
    )
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        opened = await push(client, officer, [opening])
        case_id = opened[0]["record_id"]
        step = {"step": "home_verification", "action": "complete", "consent_signed": True}
        verified = await push(
            client, officer, [op("case_step", case_id=case_id, base_version=1, step=step)]
        )
        stale = await push(
            client, officer, [op("case_step", case_id=case_id, base_version=1, step=step)]
        )
    assert opened[0]["status"] == "applied" and opened[0]["entity"] == "case"
    assert verified[0]["status"] == "applied" and verified[0]["version"] == 2
    assert stale[0]["status"] == "conflict"
    assert stale[0]["current"]["state"] == "data_comparison"


async def test_role_without_the_right_is_rejected_per_operation(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"])
    reviewer = tokens.headers(Role.TOWNSHIP_REVIEWER, "411424105000")
    async with client_for("monitoring") as client:
        outcomes = await push(client, reviewer, [new_household(), visit(household.id)])
        viewer = await client.post(
            "/api/v1/sync/push",
            json={"operations": [visit(household.id)]},
            headers=tokens.headers(Role.CITY_VIEWER, "411400000000"),
        )
    assert outcomes[0]["problem"]["code"] == "role_not_allowed"
    assert outcomes[1]["status"] == "applied"
    assert viewer.status_code == 403


async def test_empty_or_missing_batch_is_refused(client_for: Client, tokens: TokenFactory) -> None:
    async with client_for("monitoring") as client:
        empty = await client.post(
            "/api/v1/sync/push", json={"operations": []}, headers=tokens.village_officer()
        )
        garbage = await client.post(
            "/api/v1/sync/push", content=b"{", headers=tokens.village_officer()
        )
    assert empty.status_code == 422 and garbage.status_code == 422


async def _second_member(app: FastAPI, household_id: object) -> object:
    async with app.state.database.sessionmaker() as session:
        return await session.scalar(
            select(Member.id).where(
                Member.household_id == household_id, Member.relationship != "head"
            )
        )


async def test_one_household_through_a_batch_with_failures_between(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    # The batch's households are locked ahead and kept in memory: undone writes and failed
    # operations between must leave later operations at the stored version and figures.
    household = await create_household(apps["monitoring"])
    person = person_number(birth=date(1999, 3, 1))

    def add(number: str) -> dict[str, object]:
        member = {"person_number": number, "name": "赵新", "relationship": "son"}
        return op("add_member", household_id=str(household.id), member=member)

    def readdress(base_version: int, base: str | None, value: str) -> dict[str, object]:
        changes = {"address": {"base": base, "value": value}}
        return op(
            "update_household",
            household_id=str(household.id),
            base_version=base_version,
            changes=changes,
        )

    batch = [
        add("not a number"),
        add(person),
        add(person),
        readdress(1, household.address, "二组8号"),
        readdress(1, household.address, "三组9号"),
        visit(household.id),
    ]
    async with client_for("monitoring") as client:
        outcomes = await push(client, tokens.village_officer(), batch)
    assert [o["status"] for o in outcomes] == [
        "rejected",
        "applied",
        "rejected",
        "applied",
        "conflict",
        "applied",
    ], outcomes
    assert outcomes[2]["problem"]["code"] == "person_already_registered"
    assert outcomes[3]["version"] == 3
    assert outcomes[4]["current"]["version"] == 3
    assert outcomes[4]["current"]["address"] == "二组8号"
    async with apps["monitoring"].state.database.sessionmaker() as session:
        stored = await session.get(Household, household.id)
    assert stored is not None and stored.version == 3 and stored.address == "二组8号"
    assert stored.member_count == household.member_count + 1
