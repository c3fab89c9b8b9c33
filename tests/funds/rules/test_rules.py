"""Each province's fund rules for a year, as data: administrators write them, everyone reads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.funds.rules.support import PROVINCE, rules_body
from tests.funds.support import API, YEAR, Staff, problem, rule_of
from tests.support.history import history_of
from tests.support.identities import COUNTY, TokenFactory

PATH = f"{API}/fund-rules/{PROVINCE}/{YEAR}"


async def test_set_read_and_replace_with_if_match(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        created = await client.put(PATH, json=rules_body(), headers=staff.admin)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["industry_share_min"] == "55.00" and body["yellow_card_points"] == "10.00"
        assert body["milestones"][0] == {"by": f"{YEAR}-04-30", "percent": "30.00"}
        read = await client.get(PATH, headers=staff.officer)
        assert read.status_code == 200 and read.json() == body
        unversioned = await client.put(PATH, json=rules_body(), headers=staff.admin)
        problem(unversioned, 428, "precondition_required")
        replaced = await client.put(
            PATH,
            json=rules_body(industry_share_min="60.00"),
            headers={**staff.admin, "If-Match": '"1"'},
        )
        assert replaced.status_code == 200 and replaced.json()["version"] == 2
        stale = await client.put(
            PATH, json=rules_body(), headers={**staff.admin, "If-Match": '"1"'}
        )
        assert problem(stale, 412, "version_mismatch")["current"]["industry_share_min"] == "60.00"
        listed = await client.get(f"{API}/fund-rules/{PROVINCE}", headers=staff.clerk)
        assert [rules["year"] for rules in listed.json()] == [YEAR]
    fed, audited = await history_of(apps["funds"], f"{PROVINCE}:{YEAR}")
    assert fed == ["create", "update"] and audited == ["create", "update"]


async def test_only_administrators_of_the_province_write_rules(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        for headers in (
            staff.clerk,
            staff.approver,
            tokens.headers(Role.PROVINCE_VIEWER, PROVINCE),
        ):
            problem(
                await client.put(PATH, json=rules_body(), headers=headers), 403, "role_not_allowed"
            )
        elsewhere = tokens.headers(Role.ADMINISTRATOR, "440000000000")
        problem(await client.put(PATH, json=rules_body(), headers=elsewhere), 404, "not_found")
        county = await client.put(
            f"{API}/fund-rules/{COUNTY}/{YEAR}", json=rules_body(), headers=staff.admin
        )
        problem(county, 422, "validation_failed", "path.province_code")
        missing = await client.get(PATH, headers=staff.clerk)
        problem(missing, 404, "not_found")


@pytest.mark.parametrize(
    ("milestones", "field", "rule"),
    [
        ([{"by": f"{YEAR}-04-29", "percent": "30.00"}], "body.milestones.0.by", "not_month_end"),
        ([{"by": f"{YEAR + 1}-04-30", "percent": "30.00"}], "body.milestones.0.by", "not_in_year"),
        (
            [{"by": f"{YEAR}-06-30", "percent": "30.00"}, {"by": f"{YEAR}-04-30", "percent": "50"}],
            "body.milestones.1.by",
            "not_ascending",
        ),
        (
            [{"by": f"{YEAR}-04-30", "percent": "50.00"}, {"by": f"{YEAR}-06-30", "percent": "30"}],
            "body.milestones.1.percent",
            "decreasing",
        ),
        (
            [{"by": f"{YEAR}-04-30", "percent": "130.00"}],
            "body.milestones.0.percent",
            "less_than_equal",
        ),
        (
            [{"by": f"{YEAR}-04-30", "percent": "3.333"}],
            "body.milestones.0.percent",
            "decimal_max_places",
        ),
        ([], "body.milestones", "too_short"),
    ],
)
async def test_bad_milestones_are_refused(
    client_for: Callable[[str], AsyncClient],
    tokens: TokenFactory,
    milestones: list[dict[str, str]],
    field: str,
    rule: str,
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        answer = await client.put(PATH, json=rules_body(milestones=milestones), headers=staff.admin)
        problem(answer, 422, "validation_failed", field)
        assert rule_of(answer, field) == rule
        problem(await client.get(PATH, headers=staff.admin), 404, "not_found")
