"""Every endpoint that takes an id answers 404 to a principal of another county, exactly like a
missing record, and writes nothing; lists show outsiders nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.funds.support import (
    API,
    YEAR,
    Staff,
    advance,
    created,
    figures_of,
    funded_link,
    pay,
    posting,
    problem,
)
from tests.support.identities import (
    OTHER_COUNTY,
    OTHER_TOWNSHIP,
    OTHER_VILLAGE,
    TokenFactory,
)


async def test_another_countys_principals_get_404_for_every_id(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        allocation, project, fund_link = await funded_link(client, staff, "1000.00")
        payment = created(await pay(client, staff.clerk, fund_link, "100.00"))
        completed = await advance(client, staff, project, "complete")
        asset = created(
            await client.post(
                f"{API}/assets",
                json={
                    "project_id": project["id"],
                    "name": "冷库",
                    "kind": "operating",
                    "owner_type": "county",
                    "owner_name": "县国资公司",
                    "owner_area_code": project["area_code"][:6] + "000000",
                    "value": "900.00",
                    "formed_on": f"{YEAR}-09-01",
                },
                headers=posting(staff.clerk),
            )
        )
        before = await figures_of(apps["funds"])

        readers = {
            "other county admin": staff.outsider,
            "other county approver": staff.outsider_approver,
            "other township reviewer": tokens.headers(Role.TOWNSHIP_REVIEWER, OTHER_TOWNSHIP),
            "other village officer": tokens.headers(Role.VILLAGE_OFFICER, OTHER_VILLAGE),
        }
        reads = [
            f"{API}/allocations/{allocation['id']}",
            f"{API}/projects/{project['id']}",
            f"{API}/fund-links/{fund_link['id']}",
            f"{API}/payments/{payment['id']}",
            f"{API}/assets/{asset['id']}",
        ]
        for who, headers in readers.items():
            for path in reads:
                problem(await client.get(path, headers=headers), 404, "not_found")
            for listing in ("allocations", "projects", "fund-links", "payments", "assets"):
                listed = await client.get(f"{API}/{listing}", headers=headers)
                assert listed.status_code == 200 and listed.json()["items"] == [], (who, listing)

        writes: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
            (
                "POST",
                f"{API}/allocations/{allocation['id']}/reversals",
                {
                    "amount": "1.00",
                    "document_number": "x",
                    "issued_on": f"{YEAR}-03-01",
                    "reason": "x",
                },
                {},
            ),
            (
                "POST",
                f"{API}/projects/{project['id']}/transitions",
                {"action": "accept"},
                {"If-Match": f'"{completed["version"]}"'},
            ),
            (
                "POST",
                f"{API}/fund-links/{fund_link['id']}/reversals",
                {"amount": "1.00", "reason": "x", "reversed_on": f"{YEAR}-04-01"},
                {},
            ),
            (
                "POST",
                f"{API}/payments/{payment['id']}/refunds",
                {
                    "amount": "1.00",
                    "voucher_number": "x",
                    "refunded_on": f"{YEAR}-05-01",
                    "reason": "x",
                },
                {},
            ),
            ("PATCH", f"{API}/assets/{asset['id']}", {"status": "idle"}, {"If-Match": '"1"'}),
            (
                "POST",
                f"{API}/assets/{asset['id']}/disposal",
                {"disposed_on": f"{YEAR}-10-01", "reason": "x"},
                {"If-Match": '"1"'},
            ),
            (
                "POST",
                f"{API}/fund-links",
                {"allocation_id": allocation["id"], "project_id": project["id"], "amount": "1.00"},
                {},
            ),
            (
                "POST",
                f"{API}/payments",
                {
                    "link_id": fund_link["id"],
                    "amount": "1.00",
                    "voucher_number": "x",
                    "paid_on": f"{YEAR}-05-01",
                },
                {},
            ),
            (
                "POST",
                f"{API}/assets",
                {
                    "project_id": project["id"],
                    "name": "x",
                    "kind": "operating",
                    "owner_type": "county",
                    "owner_name": "x",
                    "owner_area_code": OTHER_COUNTY,
                    "value": "1.00",
                    "formed_on": f"{YEAR}-09-01",
                },
                {},
            ),
        ]
        for headers in (staff.outsider, staff.outsider_approver):
            for method, path, body, extra in writes:
                answer = await client.request(
                    method, path, json=body, headers=posting(headers, **extra)
                )
                problem(answer, 404, "not_found")
        missing = await client.get(f"{API}/payments/{uuid.uuid4()}", headers=staff.clerk)
        problem(missing, 404, "not_found")
        unchanged = await client.get(f"{API}/fund-links/{fund_link['id']}", headers=staff.clerk)
        assert unchanged.json()["version"] == fund_link["version"] + 1  # the one payment only
    assert await figures_of(apps["funds"]) == before
