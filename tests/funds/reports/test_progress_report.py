"""The spending progress report (支出进度报表) as of a date: per county, from the entries dated on
or before it; JSON, CSV and XLSX with Chinese titles, a title row and the total row last."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.funds.reports.xlsx import sheet_rows
from tests.funds.rules.support import set_rules
from tests.funds.support import (
    API,
    YEAR,
    Staff,
    allocate,
    created,
    link,
    pay,
    posting,
    problem,
    started_project,
)
from tests.support.identities import CITY, COUNTY, OTHER_COUNTY, TokenFactory

REPORT = f"{API}/reports/progress"
MAY_15 = f"{YEAR}-05-15"


async def record_a_spring(client: AsyncClient, staff: Staff) -> None:
    """The test county by mid-May: 1,000,000 allocated, 700,000 linked (500,000 to industry),
    250,000 paid less a 50,000 refund; later a 100,000 reversal and a 30,000 payment. The
    neighbouring county: 100,000 allocated, nothing spent."""
    await set_rules(client, staff.admin)
    central = await allocate(client, staff.clerk, amount="600000.00")
    provincial = await allocate(client, staff.clerk, level="provincial", amount="400000.00")
    await allocate(client, staff.clerk, year=YEAR - 1, issued_on=f"{YEAR - 1}-06-01")
    industry = await started_project(client, staff)
    roads = await started_project(client, staff, category="infrastructure", name="道路硬化")
    industry_link = created(await link(client, staff.clerk, central, industry, "500000.00"))
    created(await link(client, staff.clerk, provincial, roads, "200000.00"))
    payment = created(await pay(client, staff.clerk, industry_link, "250000.00"))
    refund = {
        "amount": "50000.00",
        "voucher_number": "收-1",
        "refunded_on": f"{YEAR}-05-10",
        "reason": "退回",
    }
    created(
        await client.post(
            f"{API}/payments/{payment['id']}/refunds", json=refund, headers=posting(staff.clerk)
        )
    )
    created(await pay(client, staff.clerk, industry_link, "30000.00", paid_on=f"{YEAR}-05-20"))
    reversal = {
        "amount": "100000.00",
        "document_number": "收回",
        "issued_on": f"{YEAR}-06-01",
        "reason": "调整",
    }
    created(
        await client.post(
            f"{API}/allocations/{provincial['id']}/reversals",
            json=reversal,
            headers=posting(staff.clerk),
        )
    )
    await allocate(
        client, staff.admin, area_code=OTHER_COUNTY, amount="100000.00", issued_on=f"{YEAR}-03-01"
    )


def standing(row: dict[str, Any]) -> tuple[Any, ...]:
    s = row["standing"]
    return (
        s["spending_progress"],
        s["industry_share"],
        s["required_progress"],
        s["shortfall"],
        s["card"],
    )


async def test_the_report_as_of_mid_may(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    city = tokens.headers(Role.CITY_VIEWER, CITY)
    async with client_for("funds") as client:
        await record_a_spring(client, staff)
        answer = await client.get(REPORT, params={"area": CITY, "date": MAY_15}, headers=city)
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert (report["area"], report["year"], report["as_of"]) == (CITY, YEAR, MAY_15)
        theirs, mine = report["rows"]  # in code order
        assert mine["county_code"] == COUNTY and theirs["county_code"] == OTHER_COUNTY
        assert (mine["allocated"], mine["allocated_central"], mine["allocated_provincial"]) == (
            "1000000.00",
            "600000.00",
            "400000.00",
        )
        assert (mine["linked"], mine["linked_industry"], mine["paid"]) == (
            "700000.00",
            "500000.00",
            "200000.00",
        )
        # 20.00% paid against 30% due on April 30: exactly 10 points short, still yellow.
        assert standing(mine) == ("20.00", "71.43", "30.00", "10.00", "yellow")
        assert mine["standing"]["industry_share_met"] is True
        assert mine["standing"]["milestone"] == {"by": f"{YEAR}-04-30", "percent": "30.00"}
        assert standing(theirs) == ("0.00", None, "30.00", "30.00", "red")
        total = report["total"]
        assert total["county_code"] is None and total["allocated"] == "1100000.00"
        assert (total["paid"], total["standing"]["spending_progress"]) == ("200000.00", "18.18")
        assert total["standing"]["card"] is None

        later = await client.get(REPORT, params={"area": CITY, "year": YEAR}, headers=city)
        mine_now = later.json()["rows"][1]
        assert (mine_now["allocated"], mine_now["paid"]) == ("900000.00", "230000.00")
        assert mine_now["standing"]["required_progress"] == "100.00"

        own = await client.get(REPORT, params={"date": MAY_15}, headers=staff.clerk)
        assert [row["county_code"] for row in own.json()["rows"]] == [COUNTY]


async def test_csv_and_xlsx_carry_the_same_table(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    city = tokens.headers(Role.CITY_VIEWER, CITY)
    async with client_for("funds") as client:
        await record_a_spring(client, staff)
        params = {"area": CITY, "date": MAY_15}
        as_csv = await client.get(REPORT, params={**params, "format": "csv"}, headers=city)
        assert as_csv.status_code == 200, as_csv.text
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert "attachment" in as_csv.headers["content-disposition"]
        assert as_csv.content.startswith("\ufeff".encode())
        lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        assert lines[0][0].startswith(f"{YEAR}年度衔接资金支出进度报表")
        assert lines[1][:3] == ["区划代码", "下达资金合计(元)", "中央(元)"]
        assert lines[1][-1] == "亮牌"
        assert [line[0] for line in lines[2:]] == [OTHER_COUNTY, COUNTY, "合计"]
        assert lines[2][-1] == "红牌" and lines[3][-1] == "黄牌" and lines[4][-1] == ""
        assert lines[3][8] == "200000.00" and lines[3][9] == "20.00"

        as_xlsx = await client.get(REPORT, params={**params, "format": "xlsx"}, headers=city)
        assert as_xlsx.status_code == 200
        assert as_xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
        rows = sheet_rows(as_xlsx.content)
        assert str(rows[0][0]).startswith(f"{YEAR}年度衔接资金支出进度报表")
        assert rows[1] == lines[1]
        assert [row[0] for row in rows[2:]] == [OTHER_COUNTY, COUNTY, "合计"]
        assert rows[3][1] == 1000000.0 and rows[3][9] == 20.0 and rows[3][-1] == "黄牌"
        assert rows[4][1] == 1100000.0


async def test_the_report_is_bounded_by_the_callers_area(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    async with client_for("funds") as client:
        # An area beyond yours answers 404, as an export or the indicators of that area do.
        beyond = await client.get(REPORT, params={"area": CITY}, headers=staff.clerk)
        assert beyond.status_code == 404 and beyond.json()["code"] == "not_found", beyond.text
        # The report is per county: village and township staff have no county-wide view.
        village = await client.get(REPORT, headers=staff.officer)
        assert village.status_code == 403, village.text
        future = await client.get(REPORT, params={"date": "2999-01-01"}, headers=staff.clerk)
        problem(future, 422, "validation_failed", "query.date")
        empty = await client.get(REPORT, params={"year": YEAR}, headers=staff.clerk)
        assert empty.json()["rows"] == [] and empty.json()["total"]["allocated"] == "0.00"
