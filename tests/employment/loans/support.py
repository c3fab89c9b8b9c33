"""Helpers for the microcredit tests."""

from __future__ import annotations

from typing import Any

import httpx

from services.common.business_time import business_today
from tests.employment.support import Person, posting


def application(who: Person, **extra: Any) -> dict[str, Any]:
    return {
        "person_number": who.number,
        "borrower_name": "李劳动",
        "bank": "柘城农商银行",
        "amount": "30000.00",
        "term_months": 36,
        "annual_rate": "3.45",
        "interest_subsidy_rate": "3.45",
        "issue_date": business_today().isoformat(),
        **extra,
    }


async def apply(
    client: httpx.AsyncClient, headers: dict[str, str], who: Person, **extra: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/loans", json=application(who, **extra), headers=posting(headers)
    )


def unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def monitoring_down() -> httpx.AsyncClient:
    """A monitoring client whose every connection is refused."""
    return httpx.AsyncClient(
        transport=httpx.MockTransport(unreachable), base_url="http://monitoring"
    )
