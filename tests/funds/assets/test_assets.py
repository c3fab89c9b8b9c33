"""Project assets (扶贫项目资产): registered for completed projects to an owner whose place fits
its type, changed with If-Match, disposed of once with a reason; the figures follow."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.tables import audit_log
from tests.funds.support import (
    API,
    YEAR,
    Staff,
    advance,
    created,
    figures_of,
    posting,
    problem,
    rule_of,
    started_project,
)
from tests.support.history import history_of
from tests.support.identities import COUNTY, OTHER_VILLAGE, TOWNSHIP, VILLAGE, TokenFactory

ALL_YEARS = 0


def asset_body(project: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "project_id": project["id"],
        "name": "肉牛养殖圈舍",
        "kind": "operating",
        "owner_type": "village_collective",
        "owner_name": "某村股份经济合作社",
        "owner_area_code": VILLAGE,
        "value": "480000.00",
        "formed_on": f"{YEAR}-10-31",
        **overrides,
    }


async def completed_project(client: AsyncClient, staff: Staff) -> dict[str, Any]:
    return await advance(client, staff, await started_project(client, staff), "complete")


async def register(client: AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return await client.post(f"{API}/assets", json=body, headers=posting(headers))


async def test_register_change_and_dispose(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        project = await completed_project(client, staff)
        asset = created(await register(client, staff.clerk, asset_body(project)))
        assert asset["status"] == "in_use" and asset["value"] == "480000.00"
        assert asset["area_code"] == VILLAGE and asset["county_code"] == COUNTY
        household = created(
            await register(
                client,
                staff.clerk,
                asset_body(
                    project,
                    name="到户肉牛",
                    kind="household",
                    owner_type="household",
                    owner_name="张建国",
                    value="12000.00",
                ),
            )
        )
        officer_sees = await client.get(f"{API}/assets/{household['id']}", headers=staff.officer)
        assert officer_sees.status_code == 200

        path = f"{API}/assets/{asset['id']}"
        idle = await client.patch(
            path,
            json={"status": "idle", "value": "450000.00"},
            headers={**staff.clerk, "If-Match": '"1"'},
        )
        assert idle.status_code == 200, idle.text
        assert idle.json()["status"] == "idle" and idle.headers["ETag"] == '"2"'
        stale = await client.patch(
            path, json={"name": "x"}, headers={**staff.clerk, "If-Match": '"1"'}
        )
        assert problem(stale, 412, "version_mismatch")["current"]["version"] == 2
        disposal = {"disposed_on": f"{YEAR}-12-01", "reason": "圈舍损毁报废", "method": "报废"}
        disposed = await client.post(
            f"{path}/disposal", json=disposal, headers=posting(staff.clerk, **{"If-Match": '"2"'})
        )
        assert disposed.status_code == 200, disposed.text
        assert (
            disposed.json()["status"] == "disposed"
            and disposed.json()["disposal_reason"] == "圈舍损毁报废"
        )
        again = await client.post(
            f"{path}/disposal", json=disposal, headers=posting(staff.clerk, **{"If-Match": '"3"'})
        )
        problem(again, 409, "asset_disposed")
        patched = await client.patch(
            path, json={"status": "in_use"}, headers={**staff.clerk, "If-Match": '"3"'}
        )
        problem(patched, 409, "asset_disposed")
    assert await figures_of(apps["funds"], year=ALL_YEARS) == {
        "assets:household": Decimal(1),
        "asset_value:household": Decimal("12000.00"),
    }
    assert await history_of(apps["funds"], asset["id"]) == (
        ["create", "update", "update"],
        ["create", "update", "dispose"],
    )
    # The revaluation's audit row keeps the value and status it replaced.
    async with apps["funds"].state.database.sessionmaker() as session:
        details = await session.scalar(
            select(audit_log.c.details).where(
                audit_log.c.entity_id == asset["id"], audit_log.c.action == "update"
            )
        )
    assert details == {
        "fields": ["value", "status"],
        "before": {"value": "480000.00", "status": "in_use"},
    }


async def test_assets_only_for_completed_projects(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        started = await started_project(client, staff)
        refused = await register(client, staff.clerk, asset_body(started))
        assert problem(refused, 409, "project_not_completed")["status"] == "started"
        accepted = await advance(client, staff, started, "complete", "accept")
        created(await register(client, staff.approver, asset_body(accepted)))
        problem(
            await register(client, staff.officer, asset_body(accepted)), 403, "role_not_allowed"
        )


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"kind": "financial"}, "body.kind", "enum"),
        ({"owner_type": "company"}, "body.owner_type", "enum"),
        ({"owner_area_code": TOWNSHIP}, "body.owner_area_code", "owner_area_level"),
        (
            {"owner_area_code": OTHER_VILLAGE},
            "body.owner_area_code",
            "owner_outside_project_county",
        ),
        ({"owner_type": "household"}, "body.owner_type", "owner_kind_mismatch"),
        ({"kind": "household"}, "body.owner_type", "owner_kind_mismatch"),
        ({"value": "-1.00"}, "body.value", "greater_than_equal"),
        ({"value": "1.001"}, "body.value", "decimal_max_places"),
        ({"status": "disposed"}, "body.status", "literal_error"),
        ({"formed_on": "2999-01-01"}, "body.formed_on", "date_in_future"),
    ],
)
async def test_bad_assets_are_refused_and_write_nothing(
    client_for: Callable[[str], AsyncClient],
    apps: dict[str, FastAPI],
    tokens: TokenFactory,
    change: dict[str, object],
    field: str,
    rule: str,
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        project = await completed_project(client, staff)
        answer = await register(client, staff.clerk, asset_body(project, **change))
        problem(answer, 422, "validation_failed", field)
        assert rule_of(answer, field) == rule
        listed = await client.get(f"{API}/assets", headers=staff.admin)
        assert listed.json()["items"] == []
    assert await figures_of(apps["funds"], year=ALL_YEARS) == {}
