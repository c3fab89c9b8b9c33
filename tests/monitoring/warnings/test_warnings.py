"""Officers work the warnings of their villages: list and read them (audited; a record's
details only with the reveal scope), acknowledge, dismiss with a reason, or open an
identification case from them; the figures follow every step."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.auth.roles import Role, Scope
from services.common.tables import audit_log
from services.monitoring.models import Case
from tests.monitoring.cases.support import problem
from tests.monitoring.feeds.support import feed_client, figures, push_and_process, record
from tests.monitoring.warnings.support import WARNINGS, act, raise_warning
from tests.support.identities import OTHER_VILLAGE, VILLAGE, TokenFactory


async def test_officers_list_and_read_the_warnings_of_their_villages(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app = apps["monitoring"]
    officer = tokens.village_officer()
    async with client_for("monitoring") as client:
        household_id, people, warning = await raise_warning(client, app, tokens)
        assert warning["state"] == "open" and warning["area_code"] == VILLAGE
        assert warning["household_id"] == str(household_id)
        assert warning["rule_code"] == "medical_inpatient_cost"
        assert warning["person_number_masked"] == people[0][:6] + "********" + people[0][-4:]
        assert warning["largest_amount"] == "30000.00" and warning["event_count"] == 1

        mine = await client.get(WARNINGS, headers=officer, params={"active": True})
        assert [item["id"] for item in mine.json()["items"]] == [warning["id"]]
        neighbours = await client.get(WARNINGS, headers=tokens.village_officer(OTHER_VILLAGE))
        assert neighbours.json()["items"] == []
        feed = await client.get(WARNINGS, headers=feed_client(tokens))
        problem(feed, 403, "role_not_allowed")

        read = await client.get(f"{WARNINGS}/{warning['id']}", headers=officer)
        assert read.status_code == 200 and read.headers["ETag"] == '"1"'
        [event] = read.json()["events"]
        assert event["source"] == "medical_insurance" and event["amount"] == "30000.00"
        assert event["details"] is None  # a diagnosis is not for every eye
        revealer = tokens.headers(
            Role.VILLAGE_OFFICER, VILLAGE, scopes=[Scope.PERSONAL_DATA_REVEAL.value]
        )
        revealed = await client.get(f"{WARNINGS}/{warning['id']}", headers=revealer)
        assert revealed.json()["events"][0]["details"]["diagnosis"] == "肺炎"
    async with app.state.database.sessionmaker() as session:
        audited = (
            await session.execute(
                select(audit_log.c.action, audit_log.c.details).where(
                    audit_log.c.entity == "department_warning"
                )
            )
        ).all()
    actions = [action for action, _ in audited]
    assert actions.count("read") == 2 and actions.count("list") >= 3
    assert {"details_revealed": True} in [details for _, details in audited]


async def test_acknowledge_then_dismiss_with_a_reason(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, officer = apps["monitoring"], tokens.village_officer()
    async with client_for("monitoring") as client:
        _, people, warning = await raise_warning(client, app, tokens)
        problem(
            await client.post(
                f"{WARNINGS}/{warning['id']}/acknowledge",
                headers={**officer, "Idempotency-Key": str(uuid.uuid4())},
            ),
            428,
            "precondition_required",
        )
        seen = await act(client, WARNINGS, warning, "acknowledge", officer)
        assert seen.status_code == 200, seen.text
        assert seen.json()["state"] == "acknowledged" and seen.headers["ETag"] == '"2"'
        assert seen.json()["acknowledged_by"] == f"user:test-village_officer-{VILLAGE}"
        problem(
            await act(client, WARNINGS, warning, "dismiss", officer, {"reason": "x"}),
            412,
            "version_mismatch",
        )
        again = await act(client, WARNINGS, seen.json(), "acknowledge", officer)
        problem(again, 409, "warning_not_open")
        assert await figures(app) == {"department_warnings_open": 1}

        blank = await act(client, WARNINGS, seen.json(), "dismiss", officer, {"reason": " "})
        problem(blank, 422, "validation_failed")
        dismissed = await act(
            client, WARNINGS, seen.json(), "dismiss", officer, {"reason": "已报销大部分费用"}
        )
        assert dismissed.status_code == 200, dismissed.text
        assert dismissed.json()["state"] == "dismissed"
        assert dismissed.json()["dismissal_reason"] == "已报销大部分费用"
        assert await figures(app) == {}
        closed = await act(client, WARNINGS, dismissed.json(), "acknowledge", officer)
        problem(closed, 409, "warning_closed")

        # A later record raises a new warning: the dismissed one stays closed.
        batch = await push_and_process(client, app, feed_client(tokens), [record(people[1])])
        assert batch["warnings_raised"] == 1
    assert await figures(app) == {"department_warnings_open": 1}


async def test_an_identification_case_opened_from_a_warning(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, officer = apps["monitoring"], tokens.village_officer()
    async with client_for("monitoring") as client:
        household_id, _, warning = await raise_warning(client, app, tokens)
        missing = await act(client, WARNINGS, warning, "case", officer, {})
        problem(missing, 422, "validation_failed")
        bad_code = await act(
            client, WARNINGS, warning, "case", officer, {"proposed_category": "rich"}
        )
        problem(bad_code, 422, "validation_failed", "code_unknown")
        converted = await act(
            client, WARNINGS, warning, "case", officer, {"proposed_category": "sudden_hardship"}
        )
        assert converted.status_code == 201, converted.text
        body = converted.json()
        assert body["state"] == "converted" and body["case_id"] is not None
        assert converted.headers["Location"] == f"/api/v1/cases/{body['case_id']}"
        case = await client.get(converted.headers["Location"], headers=officer)
        assert case.status_code == 200
        assert case.json()["source"] == "department_warning"
        assert case.json()["source_reference"] == warning["id"]
        assert case.json()["household_id"] == str(household_id)
        assert case.json()["proposed_risk_types"] == ["illness"]
        assert case.json()["state"] == "home_verification"
        again = await act(
            client, WARNINGS, body, "case", officer, {"proposed_category": "marginal"}
        )
        problem(again, 409, "warning_closed")
    assert await figures(app) == {"department_warnings_converted": 1}


async def test_a_case_the_household_already_has_leaves_the_warning_open(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, officer = apps["monitoring"], tokens.village_officer()
    async with client_for("monitoring") as client:
        household_id, _, warning = await raise_warning(client, app, tokens)
        opened = await client.post(
            "/api/v1/cases",
            json={
                "household_id": str(household_id),
                "procedure": "identification",
                "source": "officer_finding",
                "proposed_category": "marginal",
                "proposed_risk_types": ["illness"],
            },
            headers={**officer, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert opened.status_code == 201
        refused = await act(
            client, WARNINGS, warning, "case", officer, {"proposed_category": "marginal"}
        )
        problem(refused, 409, "case_already_open")
        still = await client.get(f"{WARNINGS}/{warning['id']}", headers=officer)
        assert still.json()["state"] == "open" and still.json()["version"] == 1
    async with app.state.database.sessionmaker() as session:
        cases = (await session.scalars(select(Case.source))).all()
    assert cases == ["officer_finding"]
    assert await figures(app) == {"department_warnings_open": 1}
