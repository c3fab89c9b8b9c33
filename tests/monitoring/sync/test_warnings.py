"""Warnings from the field (预警处置): acknowledge, dismiss (warnings and leads) and open a case
from a warning through the push, each applied once however often it is sent, a stale base
version answered with the current record, other villages' warnings not found, and the pull
carrying the warnings of the officer's villages only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.common.auth.roles import Role
from services.monitoring.models import Case
from tests.monitoring.feeds.support import ensure_default_rules
from tests.monitoring.sync.support import PULL, op, push
from tests.monitoring.warnings.support import LEADS, WARNINGS, raise_lead, raise_warning
from tests.support.identities import OTHER_VILLAGE, TokenFactory

Client = Callable[[str], httpx.AsyncClient]
NEIGHBOUR_VILLAGE = "411424105202"  # same township as VILLAGE


def acknowledge(item: dict[str, Any], base_version: int = 1) -> dict[str, Any]:
    return op(
        "acknowledge_warning",
        warning_id=item["id"],
        warning_kind=item["kind"],
        base_version=base_version,
    )


def dismiss(item: dict[str, Any], base_version: int = 1, **reason: str) -> dict[str, Any]:
    return op(
        "dismiss_warning",
        warning_id=item["id"],
        warning_kind=item["kind"],
        base_version=base_version,
        **reason,
    )


def open_case(item: dict[str, Any], base_version: int = 1, **case: Any) -> dict[str, Any]:
    return op(
        "open_case_from_warning",
        warning_id=item["id"],
        base_version=base_version,
        case=case or {"proposed_category": "marginal"},
    )


async def current(
    client: httpx.AsyncClient, tokens: TokenFactory, item: dict[str, Any]
) -> dict[str, Any]:
    path = WARNINGS if item["kind"] == "warning" else LEADS
    answer = await client.get(f"{path}/{item['id']}", headers=tokens.administrator())
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_warning_acknowledged_then_dismissed_each_applied_once(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    await ensure_default_rules(apps["monitoring"])
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        _, _, warning = await raise_warning(client, apps["monitoring"], tokens)
        seen = acknowledge(warning)
        applied = await push(client, officer, [seen])
        replayed = await push(client, officer, [seen])
        after_ack = await current(client, tokens, warning)
        closing = dismiss(warning, 2, reason="已报销大部分费用")
        dismissed = await push(client, officer, [closing, closing])
        resent = await push(client, officer, [seen, closing])
        final = await current(client, tokens, warning)
    assert applied[0]["status"] == "applied", applied
    assert (applied[0]["entity"], applied[0]["record_id"]) == ("warning", warning["id"])
    assert applied[0]["version"] == 2
    assert replayed[0]["status"] == "already_applied"
    assert replayed[0]["version"] == 2 and replayed[0]["record_id"] == warning["id"]
    assert after_ack["state"] == "acknowledged" and after_ack["version"] == 2
    assert [o["status"] for o in dismissed] == ["applied", "already_applied"], dismissed
    assert dismissed[0]["version"] == dismissed[1]["version"] == 3
    assert [o["status"] for o in resent] == ["already_applied", "already_applied"]
    assert [o["version"] for o in resent] == [2, 3]  # the stored outcomes, not today's record
    assert final["state"] == "dismissed" and final["version"] == 3
    assert final["dismissal_reason"] == "已报销大部分费用"


async def test_lead_acknowledged_then_dismissed(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    await ensure_default_rules(apps["monitoring"])
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        _, lead = await raise_lead(client, apps["monitoring"], tokens)
        _, _, warning = await raise_warning(client, apps["monitoring"], tokens)
        # Leads and warnings are apart: a warning's id under the other kind is not found.
        crossed = [
            acknowledge({**lead, "kind": "warning"}),
            acknowledge({**warning, "kind": "lead"}),
        ]
        mixed = await push(client, officer, crossed)
        outcomes = await push(
            client,
            officer,
            [acknowledge(lead), dismiss(lead, 2, reason="本人已外出务工, 收入稳定")],
        )
        final = await current(client, tokens, lead)
    assert [o["problem"]["code"] for o in mixed] == ["not_found", "not_found"], mixed
    assert [o["status"] for o in outcomes] == ["applied", "applied"], outcomes
    assert [o["version"] for o in outcomes] == [2, 3]
    assert final["state"] == "dismissed" and final["acknowledged_by"] is not None
    assert final["dismissal_reason"] == "本人已外出务工, 收入稳定"


async def test_stale_base_version_conflicts_with_the_current_warning(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    await ensure_default_rules(apps["monitoring"])
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        _, _, warning = await raise_warning(client, apps["monitoring"], tokens)
        _, lead = await raise_lead(client, apps["monitoring"], tokens)
        await push(client, officer, [acknowledge(warning), acknowledge(lead)])
        stale = await push(
            client,
            officer,
            [
                dismiss(warning, 1, reason="重复预警"),
                open_case(warning, 1),
                dismiss(lead, 1, reason="查无此人"),
            ],
        )
        final = await current(client, tokens, warning)
    assert [o["status"] for o in stale] == ["conflict"] * 3, stale
    assert {o["problem"]["code"] for o in stale} == {"version_mismatch"}
    for outcome, item in zip(stale, (warning, warning, lead), strict=True):
        assert outcome["current"]["id"] == item["id"]
        assert outcome["current"]["state"] == "acknowledged"
        assert outcome["current"]["version"] == 2
    assert "*" in stale[0]["current"]["person_number_masked"]
    assert final["state"] == "acknowledged" and final["version"] == 2


async def test_case_opened_from_a_warning_once(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    await ensure_default_rules(apps["monitoring"])
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        household_id, _, warning = await raise_warning(client, apps["monitoring"], tokens)
        opening = open_case(warning, proposed_category="sudden_hardship")
        applied = await push(client, officer, [opening])
        replayed = await push(client, officer, [opening])
        final = await current(client, tokens, warning)
    assert applied[0]["status"] == "applied", applied
    assert applied[0]["entity"] == "warning" and applied[0]["version"] == 2
    case_id = applied[0]["related"]["case_id"]
    assert replayed[0]["status"] == "already_applied"
    assert replayed[0]["related"] == {"case_id": case_id}
    assert final["state"] == "converted" and final["case_id"] == case_id
    async with apps["monitoring"].state.database.sessionmaker() as session:
        cases = list(await session.scalars(select(Case)))
    assert [(str(c.id), c.household_id, c.source) for c in cases] == [
        (case_id, household_id, "department_warning")
    ]
    assert cases[0].source_reference == warning["id"]
    assert cases[0].proposed_category == "sudden_hardship"


async def test_a_plain_case_from_a_department_warning_is_rejected(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    await ensure_default_rules(apps["monitoring"])
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        household_id, _, warning = await raise_warning(client, apps["monitoring"], tokens)
        case = {
            "household_id": str(household_id),
            "procedure": "identification",
            "source": "department_warning",
            "source_reference": warning["id"],
            "proposed_category": "marginal",
            "proposed_risk_types": ["illness"],
        }
        outcomes = await push(client, officer, [op("open_case", case=case)])
        untouched = await current(client, tokens, warning)
    assert outcomes[0]["status"] == "rejected", outcomes
    assert outcomes[0]["problem"]["code"] == "validation_failed"
    assert [(f["field"], f["rule"]) for f in outcomes[0]["problem"]["fields"]] == [
        ("operations.0.case.source", "use_warning_route")
    ]
    assert (untouched["state"], untouched["version"]) == ("open", 1)
    async with apps["monitoring"].state.database.sessionmaker() as session:
        assert list(await session.scalars(select(Case.id))) == []


async def test_another_villages_warning_is_rejected_as_not_found(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    await ensure_default_rules(apps["monitoring"])
    async with client_for("monitoring") as client:
        _, _, warning = await raise_warning(client, apps["monitoring"], tokens)
        _, lead = await raise_lead(client, apps["monitoring"], tokens)
        answers = {
            village: await push(
                client,
                tokens.village_officer(village),
                [
                    acknowledge(warning),
                    dismiss(warning, reason="不是本村"),
                    open_case(warning),
                    acknowledge(lead),
                    dismiss(lead, reason="不是本村"),
                ],
            )
            for village in (NEIGHBOUR_VILLAGE, OTHER_VILLAGE)
        }
        untouched = [await current(client, tokens, item) for item in (warning, lead)]
    for village, outcomes in answers.items():
        assert [o["status"] for o in outcomes] == ["rejected"] * 5, (village, outcomes)
        assert {o["problem"]["code"] for o in outcomes} == {"not_found"}, (village, outcomes)
    assert [(item["state"], item["version"]) for item in untouched] == [("open", 1)] * 2
    async with apps["monitoring"].state.database.sessionmaker() as session:
        assert list(await session.scalars(select(Case.id))) == []


async def test_malformed_warning_operations_are_rejected_naming_the_field(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    await ensure_default_rules(apps["monitoring"])
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        _, _, warning = await raise_warning(client, apps["monitoring"], tokens)
        outcomes = await push(
            client,
            officer,
            [
                dismiss(warning),
                dismiss(warning, reason="   "),
                {**acknowledge(warning), "warning_kind": "rumour"},
                open_case(warning, proposed_risk_types=["illness"]),
                acknowledge(warning),
            ],
        )
        final = await current(client, tokens, warning)
    assert [o["status"] for o in outcomes] == ["rejected"] * 4 + ["applied"], outcomes
    named = [[(f["field"], f["rule"]) for f in o["problem"]["fields"]] for o in outcomes[:4]]
    assert named == [
        [("operations.0.reason", "missing")],
        [("operations.1.reason", "string_too_short")],
        [("operations.2.warning_kind", "literal_error")],
        [("operations.3.case.proposed_category", "missing")],
    ]
    assert {o["problem"]["code"] for o in outcomes[:4]} == {"validation_failed"}
    assert final["state"] == "acknowledged" and final["version"] == 2


async def test_role_without_the_right_cannot_act_on_warnings(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    await ensure_default_rules(apps["monitoring"])
    reviewer = tokens.headers(Role.TOWNSHIP_REVIEWER, "411424105000")
    async with client_for("monitoring") as client:
        _, _, warning = await raise_warning(client, apps["monitoring"], tokens)
        outcomes = await push(client, reviewer, [acknowledge(warning), open_case(warning)])
        final = await current(client, tokens, warning)
    assert {o["problem"]["code"] for o in outcomes} == {"role_not_allowed"}, outcomes
    assert final["state"] == "open" and final["version"] == 1


async def test_pull_carries_the_warnings_of_the_officers_villages_only(
    committing_apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = committing_apps["monitoring"]
    await ensure_default_rules(app)
    officer = tokens.village_officer()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
        _, _, mine = await raise_warning(client, app, tokens)
        _, my_lead = await raise_lead(client, app, tokens)
        _, _, neighbours = await raise_warning(client, app, tokens, village=NEIGHBOUR_VILLAGE)
        _, neighbours_lead = await raise_lead(client, app, tokens, area=NEIGHBOUR_VILLAGE)
        first = (await client.get(PULL, headers=officer)).json()
        neighbour = (
            await client.get(PULL, headers=tokens.village_officer(NEIGHBOUR_VILLAGE))
        ).json()
        await push(client, officer, [acknowledge(mine)])
        later = await client.get(PULL, params={"cursor": first["next_cursor"]}, headers=officer)

    def warnings_in(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {i["id"]: i for i in page["items"] if i["entity"] == "warning"}

    assert set(warnings_in(first)) == {mine["id"], my_lead["id"]}
    assert set(warnings_in(neighbour)) == {neighbours["id"], neighbours_lead["id"]}
    pulled = warnings_in(first)[mine["id"]]
    assert pulled["version"] == 1 and pulled["record"]["state"] == "open"
    assert pulled["record"]["person_number_masked"] == mine["person_number_masked"]
    assert "*" in pulled["record"]["person_number_masked"]
    assert [(i["id"], i["version"]) for i in later.json()["items"]] == [(mine["id"], 2)]
    assert later.json()["items"][0]["record"]["state"] == "acknowledged"
