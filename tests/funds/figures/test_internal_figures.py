"""`GET /internal/figures`: per-county sums kept by the writes, with progress, industry share
and the card each county holds today; service tokens only."""

from __future__ import annotations

from collections.abc import Callable

from httpx import AsyncClient

from services.funds.figures.rollups import METRICS, is_money
from tests.funds.rules.support import set_rules
from tests.funds.support import (
    API,
    YEAR,
    Staff,
    advance,
    allocate,
    created,
    link,
    pay,
    propose,
    started_project,
)
from tests.support.identities import CITY, COUNTY, NATION, OTHER_COUNTY, PROVINCE, TokenFactory

FIGURES = f"{API}/internal/figures"


def shape(**values: int | str) -> dict[str, int | str]:
    """Every metric of a row: zero unless given (`:` spelled `__` in the names)."""
    given = {name.replace("__", ":"): value for name, value in values.items()}
    return {metric: given.get(metric, "0.00" if is_money(metric) else 0) for metric in METRICS}


async def test_figures_and_cards_by_county(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        await set_rules(client, staff.admin)
        central = await allocate(client, staff.clerk, amount="600000.00")
        provincial = await allocate(client, staff.clerk, level="provincial", amount="400000.00")
        industry = await started_project(client, staff)
        roads = await started_project(client, staff, category="infrastructure", name="道路")
        await propose(client, staff.officer, name="待审项目")
        industry_link = created(await link(client, staff.clerk, central, industry, "600000.00"))
        roads_link = created(await link(client, staff.clerk, provincial, roads, "0.01"))
        created(await pay(client, staff.clerk, industry_link, "600000.00"))
        created(await pay(client, staff.clerk, roads_link, "0.01"))
        # The neighbour county got money and spent none.
        theirs = await allocate(client, staff.admin, area_code=OTHER_COUNTY, amount="50000.00")
        assert theirs["area_code"] == OTHER_COUNTY

        answer = await client.get(
            FIGURES, params={"area": CITY, "level": "county", "year": YEAR}, headers=staff.gateway
        )
        assert answer.status_code == 200, answer.text
        rows = {row["area_code"]: row for row in answer.json()["rows"]}
        assert rows[COUNTY]["figures"] == shape(
            allocated="1000000.00",
            allocated__central="600000.00",
            allocated__provincial="400000.00",
            linked="600000.01",
            linked__industry="600000.00",
            linked__infrastructure="0.01",
            paid="600000.01",
            projects__proposed=1,
            projects__started=2,
        )
        # A past year is judged at its end: 100% was due, 60.00% is 40 points short.
        assert rows[COUNTY]["standing"] == {
            "spending_progress": "60.00",
            "industry_share": "100.00",
            "industry_share_met": True,
            "milestone": {"by": f"{YEAR}-12-31", "percent": "100.00"},
            "required_progress": "100.00",
            "shortfall": "40.00",
            "card": "red",
        }
        assert rows[OTHER_COUNTY]["standing"]["card"] == "red"
        assert rows[OTHER_COUNTY]["standing"]["industry_share"] is None

        by_province = await client.get(
            FIGURES,
            params={"area": NATION, "level": "province", "year": YEAR},
            headers=staff.gateway,
        )
        [province] = by_province.json()["rows"]
        assert province["area_code"] == PROVINCE
        assert province["figures"]["allocated"] == "1050000.00"
        assert province["standing"]["card"] is None  # cards are for counties

        refused = await client.get(
            FIGURES, params={"area": CITY, "level": "county"}, headers=staff.clerk
        )
        assert refused.status_code == 403
        below = await client.get(
            FIGURES, params={"area": CITY, "level": "village"}, headers=staff.gateway
        )
        assert below.status_code == 422
        wrong = await client.get(
            FIGURES, params={"area": COUNTY, "level": "city"}, headers=staff.gateway
        )
        assert wrong.status_code == 422


async def test_asset_and_status_figures_follow_the_life_of_projects(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        project = await advance(client, staff, await started_project(client, staff), "complete")
        asset = {
            "project_id": project["id"],
            "name": "光伏板",
            "kind": "public_welfare",
            "owner_type": "county",
            "owner_name": "县乡村振兴局",
            "owner_area_code": COUNTY,
            "value": "300000.00",
            "formed_on": f"{YEAR}-11-01",
            "status": "idle",
        }
        created(
            await client.post(
                f"{API}/assets", json=asset, headers={**staff.clerk, "Idempotency-Key": "asset-1"}
            )
        )
        answer = await client.get(
            FIGURES, params={"area": CITY, "level": "county", "year": YEAR}, headers=staff.gateway
        )
        figures = answer.json()["rows"][0]["figures"]
        assert figures == shape(
            assets__public_welfare=1,
            asset_value__public_welfare="300000.00",
            idle_assets=1,
            projects__completed=1,
        )
        assert answer.json()["rows"][0]["standing"]["spending_progress"] is None
