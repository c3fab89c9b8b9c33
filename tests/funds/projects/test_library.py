"""The project library (项目库): proposals by the village for its own places, with schedule,
beneficiaries, benefit-linkage mechanisms and performance targets; bad input writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.funds.support import (
    API,
    YEAR,
    Staff,
    figures_of,
    posting,
    problem,
    project_body,
    propose,
    rule_of,
)
from tests.support.history import history_of
from tests.support.identities import CITY, COUNTY, OTHER_VILLAGE, TOWNSHIP, TokenFactory


async def test_a_village_proposes_and_everyone_above_reads(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        answer = await client.post(
            f"{API}/projects", json=project_body(), headers=posting(staff.officer)
        )
        assert answer.status_code == 201, answer.text
        project = answer.json()
        assert answer.headers["Location"] == f"{API}/projects/{project['id']}"
        assert project["status"] == "proposed" and project["version"] == 1
        assert project["benefit_mechanisms"] == ["wages", "dividends"]
        assert project["performance_targets"] == [
            {"indicator": "带动脱贫户增收", "target_value": "1500", "unit": "元/户"}
        ]
        assert project["planned_amount"] == "500000.00"
        assert project["linked"] == "0.00" and project["paid"] == "0.00"
        assert project["next_actions"] == ["review", "cancel"]
        [proposal] = project["transitions"]
        assert proposal["action"] == "propose" and proposal["to_status"] == "proposed"
        assert proposal["actor_role"] == "village_officer" and proposal["from_status"] is None
        for headers in (
            staff.reviewer,
            staff.approver,
            tokens.headers(Role.CITY_VIEWER, CITY),
            tokens.headers(Role.PROVINCE_SYSTEM, "410000000000"),
        ):
            read = await client.get(f"{API}/projects/{project['id']}", headers=headers)
            assert read.status_code == 200 and read.json() == project
    assert await figures_of(apps["funds"]) == {"projects:proposed": Decimal(1)}
    assert await history_of(apps["funds"], project["id"]) == (["create"], ["create"])


async def test_places_levels_and_scope_of_a_proposal(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        for place in (TOWNSHIP, COUNTY):
            project = await propose(client, staff.clerk, area_code=place)
            assert project["area_code"] == place
        for headers, place, rule in (
            (staff.officer, OTHER_VILLAGE, "area_out_of_scope"),
            (staff.officer, TOWNSHIP, "area_out_of_scope"),
            (staff.clerk, CITY, "place_level"),
        ):
            answer = await client.post(
                f"{API}/projects", json=project_body(area_code=place), headers=posting(headers)
            )
            problem(answer, 422, "validation_failed", "body.area_code")
            assert rule_of(answer, "body.area_code") == rule
        for headers in (staff.reviewer, staff.approver):
            refused = await client.post(
                f"{API}/projects", json=project_body(), headers=posting(headers)
            )
            problem(refused, 403, "role_not_allowed")


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"category": "tourism"}, "body.category", "enum"),
        ({"planned_amount": "-1.00"}, "body.planned_amount", "greater_than_equal"),
        ({"planned_amount": "1.001"}, "body.planned_amount", "decimal_max_places"),
        ({"planned_end": f"{YEAR}-02-01"}, "body.planned_end", "before_start"),
        ({"beneficiary_households": -1}, "body.beneficiary_households", "greater_than_equal"),
        ({"beneficiary_people": 10}, "body.beneficiary_people", "fewer_people_than_households"),
        ({"benefit_mechanisms": ["wages", "charity"]}, "body.benefit_mechanisms.1", "enum"),
        ({"benefit_mechanisms": ["wages", "wages"]}, "body.benefit_mechanisms", "duplicate_code"),
        (
            {"performance_targets": [{"indicator": "x", "target_value": "1.5", "unit": ""}]},
            "body.performance_targets.0.unit",
            "string_too_short",
        ),
        (
            {"performance_targets": [{"indicator": "x", "target_value": 1.5, "unit": "户"}]},
            "body.performance_targets.0.target_value",
            "value_error",
        ),
        ({"name": "a\x00b"}, "body.name", "string_pattern_mismatch"),
    ],
)
async def test_bad_proposals_are_refused_and_write_nothing(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    change: dict[str, object],
    field: str,
    rule: str,
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        answer = await client.post(
            f"{API}/projects", json=project_body(**change), headers=posting(staff.officer)
        )
        problem(answer, 422, "validation_failed", field)
        assert rule_of(answer, field) == rule
        listed = await client.get(f"{API}/projects", headers=staff.admin)
        assert listed.json()["items"] == []
    assert await figures_of(apps["funds"]) == {}


async def test_the_library_lists_by_place_and_name_with_filters(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        names = ["乙村道路硬化", "甲村光伏电站", "丙村务工补贴"]
        for name, category in zip(names, ("infrastructure", "industry", "employment"), strict=True):
            await propose(client, staff.officer, name=name, category=category)
        await propose(client, staff.clerk, name="县级冷链物流", area_code=COUNTY, category="other")
        pages, cursor = [], None
        while True:
            params: dict[str, str | int] = {"limit": 2, "area": TOWNSHIP}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get(f"{API}/projects", params=params, headers=staff.clerk)).json()
            pages.append([item["name"] for item in page["items"]])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert [name for page in pages for name in page] == sorted(names)
        industry = await client.get(
            f"{API}/projects", params={"category": "industry"}, headers=staff.clerk
        )
        assert [item["name"] for item in industry.json()["items"]] == ["甲村光伏电站"]
        officer = await client.get(f"{API}/projects", headers=staff.officer)
        assert len(officer.json()["items"]) == 3  # not the county's own project
