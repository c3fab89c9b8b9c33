"""The rules most tests use: a city's plan of 30% by April, 50% by June, 75% by September and
all by year end, 55% industry share, yellow cards up to 10 points below a milestone."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.funds.support import API, YEAR

PROVINCE = "410000000000"


def rules_body(year: int = YEAR, **overrides: Any) -> dict[str, Any]:
    return {
        "industry_share_min": "55.00",
        "milestones": [
            {"by": f"{year}-04-30", "percent": "30.00"},
            {"by": f"{year}-06-30", "percent": "50.00"},
            {"by": f"{year}-09-30", "percent": "75.00"},
            {"by": f"{year}-12-31", "percent": "100.00"},
        ],
        "yellow_card_points": "10.00",
        **overrides,
    }


async def set_rules(client: AsyncClient, admin: dict[str, str], year: int = YEAR) -> None:
    answer = await client.put(
        f"{API}/fund-rules/{PROVINCE}/{year}", json=rules_body(year), headers=admin
    )
    assert answer.status_code == 201, answer.text
