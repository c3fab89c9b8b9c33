"""Warning rules are data per province, edited by administrators, versioned: a batch is
evaluated with the versions in force when it was received; a province's rules replace the
national default source by source."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from services.monitoring.feeds.worker import process_pending
from tests.monitoring.cases.support import problem
from tests.monitoring.feeds.support import feed_client, numbers, push, push_and_process, record
from tests.support.identities import COUNTY, NATION, PROVINCE, TokenFactory

RULES = "/api/v1/warning-rules"
OTHER_PROVINCE = "430000000000"


def henan_inpatient(**overrides: Any) -> dict[str, Any]:
    """Henan's own inpatient rule: 3,000 / 10,000 yuan, or above half of last year's rural
    per-capita income."""
    return {
        "province_code": PROVINCE,
        "code": "medical_inpatient_cost",
        "source": "medical_insurance",
        "event_type": "inpatient",
        "condition": {
            "match": "amount",
            "at_least": {"exited_poverty": "3000.00", "ordinary": "10000.00"},
            "income_share": {"share": "0.5", "rural_income_per_capita": "18000.00"},
        },
        "risk_type": "illness",
        "description": "河南：住院自付3000/10000元以上，或超过上年农村居民人均可支配收入的一半",
        **overrides,
    }


def posting(headers: dict[str, str], version: int | None = None) -> dict[str, str]:
    extra = {"If-Match": f'"{version}"'} if version is not None else {}
    return {**headers, "Idempotency-Key": str(uuid.uuid4()), **extra}


async def create(client: AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    answer = await client.post(RULES, json=henan_inpatient(**overrides), headers=posting(headers))
    assert answer.status_code == 201, answer.text
    rule: dict[str, Any] = answer.json()
    return rule


async def test_a_provinces_rules_replace_the_default_source_by_source(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, admin = apps["monitoring"], tokens.administrator()
    feed = feed_client(tokens)
    async with client_for("monitoring") as client:
        rule = await create(client, admin)
        assert rule["version"] == 1 and rule["current"]["version"] == 1
        listed = await client.get(RULES, headers=tokens.county_admin(), params={"limit": 500})
        codes = {(item["province_code"], item["code"]) for item in listed.json()["items"]}
        assert (PROVINCE, "medical_inpatient_cost") in codes
        assert (NATION, "medical_inpatient_cost") in codes

        [low, share, below] = numbers(3)
        batch = await push_and_process(
            client,
            app,
            feed,
            [
                record(low, amount="10000.00"),  # Henan: at least 10,000 for others
                record(share, amount="9000.01"),  # above half of 18,000
                record(below, amount="9000.00"),
                record(below, source="housing", event_type="house_rated_d", amount=None),
            ],
        )
    assert rule["current"]["id"] in batch["rule_version_ids"]
    # Henan's one medical rule replaces both national ones; housing and the others stay.
    assert len(batch["rule_version_ids"]) == 13
    assert batch["leads_raised"] == 3


async def test_a_batch_is_evaluated_with_the_rule_versions_it_was_received_under(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, admin = apps["monitoring"], tokens.administrator()
    feed = feed_client(tokens)
    async with client_for("monitoring") as client:
        rule = await create(client, admin)
        [number] = numbers(1)
        before = await push(client, feed, [record(number, amount="12000.00")])
        raised = {
            "condition": {
                "match": "amount",
                "at_least": {"exited_poverty": "5000.00", "ordinary": "50000.00"},
            }
        }
        changed = await client.patch(
            f"{RULES}/{rule['id']}", json=raised, headers=posting(admin, 1)
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["version"] == 2 and changed.headers["ETag"] == '"2"'
        assert changed.json()["current"]["description"] == rule["current"]["description"]
        [other] = numbers(1)
        after = await push(client, feed, [record(other, amount="12000.00")])
        await process_pending(app)
        old = (await client.get(before.headers["Location"], headers=feed)).json()
        new = (await client.get(after.headers["Location"], headers=feed)).json()
        detail = await client.get(f"{RULES}/{rule['id']}", headers=tokens.county_admin())
    assert old["leads_raised"] == 1 and new["leads_raised"] == 0
    assert [v["version"] for v in detail.json()["versions"]] == [1, 2]
    assert detail.json()["versions"][0]["id"] in old["rule_version_ids"]
    assert detail.json()["versions"][1]["id"] in new["rule_version_ids"]


async def test_a_retired_rule_gives_the_source_back_to_the_default(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    app, admin = apps["monitoring"], tokens.administrator()
    async with client_for("monitoring") as client:
        rule = await create(client, admin)
        problem(
            await client.delete(f"{RULES}/{rule['id']}", headers=admin),
            428,
            "precondition_required",
        )
        retired = await client.delete(f"{RULES}/{rule['id']}", headers=posting(admin, 1))
        assert retired.status_code == 200 and retired.json()["retired"] is True
        again = await client.patch(f"{RULES}/{rule['id']}", json={}, headers=posting(admin, 2))
        problem(again, 409, "rule_retired")
        [number] = numbers(1)
        batch = await push_and_process(
            client, app, feed_client(tokens), [record(number, amount="12000.00")]
        )
        # The national default (20,000 for others) applies again.
        assert batch["leads_raised"] == 0
        # The code is free for a new rule.
        await create(client, admin)


async def test_rules_are_checked(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    admin = tokens.administrator()
    cases = [
        ({"event_type": "dropout"}, "event_type_of_other_source"),
        ({"source": "bank"}, "code_unknown"),
        ({"risk_type": "bad_luck"}, "code_unknown"),
        ({"province_code": COUNTY}, "not_a_province"),
        ({"code": "Bad Code"}, "string_pattern_mismatch"),
        ({"condition": {"match": "amount", "at_least": {"ordinary": "1.00"}}}, "value_error"),
        (
            {
                "condition": {
                    "match": "any",
                    "at_least": {"ordinary": "1.00", "exited_poverty": "1"},
                }
            },
            "value_error",
        ),
        ({"condition": {"match": "any", "ages": {"from_age": 16, "to_age": 6}}}, "value_error"),
    ]
    async with client_for("monitoring") as client:
        for overrides, rule in cases:
            answer = await client.post(
                RULES, json=henan_inpatient(**overrides), headers=posting(admin)
            )
            problem(answer, 422, "validation_failed", rule)
        await create(client, admin)
        taken = await client.post(RULES, json=henan_inpatient(), headers=posting(admin))
        problem(taken, 409, "rule_code_taken")


async def test_who_may_change_which_rules(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    henan_admin = tokens.headers(Role.ADMINISTRATOR, PROVINCE)
    async with client_for("monitoring") as client:
        for role in (Role.COUNTY_ADMIN, Role.PROVINCE_VIEWER):
            headers = tokens.headers(role, PROVINCE)
            problem(
                await client.post(RULES, json=henan_inpatient(), headers=posting(headers)),
                403,
                "role_not_allowed",
            )
        outside = await client.post(
            RULES, json=henan_inpatient(province_code=OTHER_PROVINCE), headers=posting(henan_admin)
        )
        problem(outside, 422, "validation_failed", "area_out_of_scope")
        rule = await create(client, henan_admin)
        # The national default is there to read, not to change, for a province's administrator.
        national = await client.get(RULES, params={"province_code": NATION}, headers=henan_admin)
        default = national.json()["items"][0]
        patched = await client.patch(
            f"{RULES}/{default['id']}", json={"description": "x"}, headers=posting(henan_admin, 1)
        )
        problem(patched, 403, "rule_outside_area")
        stale = await client.patch(
            f"{RULES}/{rule['id']}", json={"description": "新说明"}, headers=posting(henan_admin, 7)
        )
        body = problem(stale, 412, "version_mismatch")
        assert body["current"]["version"] == 1
