"""A payment sent again with its Idempotency-Key (a client that lost the answer) is paid once:
the replay is the first answer, headers and all, and the link, the rows and the `paid` figure
count it once. The same key with another body is refused, and nothing more is paid."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal

from fastapi import FastAPI
from httpx import AsyncClient

from tests.funds.support import API, YEAR, Staff, figures_of, funded_link, posting, problem
from tests.support.identities import TokenFactory


async def test_a_replayed_payment_is_paid_once(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    headers = posting(staff.clerk)
    async with client_for("funds") as client:
        _, _, fund_link = await funded_link(client, staff, "1000.00")
        body = {
            "link_id": fund_link["id"],
            "amount": "300.00",
            "voucher_number": f"记-{uuid.uuid4().hex[:8]}",
            "paid_on": f"{YEAR}-04-20",
        }
        first = await client.post(f"{API}/payments", json=body, headers=headers)
        again = await client.post(f"{API}/payments", json=body, headers=headers)
        assert first.status_code == again.status_code == 201, first.text
        assert "Idempotent-Replayed" not in first.headers
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.content == first.content
        for header in ("content-type", "location", "etag"):
            assert again.headers[header] == first.headers[header]
        assert first.headers["location"] == f"/api/v1/payments/{first.json()['id']}"
        assert first.headers["etag"] == '"1"' and first.json()["amount"] == "300.00"

        reused = await client.post(
            f"{API}/payments", json={**body, "amount": "1.00"}, headers=headers
        )
        problem(reused, 422, "idempotency_key_reused")

        read = (await client.get(f"{API}/fund-links/{fund_link['id']}", headers=staff.clerk)).json()
        assert read["unpaid"] == "700.00" and read["version"] == 2
        listed = await client.get(
            f"{API}/payments", params={"link_id": fund_link["id"]}, headers=staff.clerk
        )
        assert [item["id"] for item in listed.json()["items"]] == [first.json()["id"]]
    assert (await figures_of(apps["funds"]))["paid"] == Decimal("300.00")
