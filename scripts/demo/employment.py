"""Work and credit (就业与小额信贷): working-age members of exited-poverty households registered
as labourers (each confirmed by the monitoring service), their jobs loaded in bulk, and
microcredit loans loaded in bulk as applications, then confirmed by the batch eligibility check.

A re-run registers nobody twice (409 `labourer_already_registered`), loads jobs only for
labourers without any, and loans only for households without one."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from scripts.demo.api import DemoError, each
from scripts.demo.context import Demo
from scripts.demo.people import County, Household, Member, age_on, rng

EMPLOYMENT = "/api/v1/employment"
ABLE = ("ordinary", "skilled", "weak")
SKILLS = ("电焊", "家政服务", "中式烹调", "挖掘机操作", "电工", "养殖技术", "缝纫")
EMPLOYERS = ("富士康科技集团", "宁波某电子厂", "县产业园食品公司", "东莞某服装厂", "郑州建工集团")
BANKS = ("县农商银行", "邮储银行县支行", "农业银行县支行")
SPELL_COLUMNS: tuple[str, ...] = (
    "person_number",
    "employer",
    "place_class",
    "kind",
    "start_date",
    "monthly_wage",
)
LOAN_COLUMNS: tuple[str, ...] = ("person_number", "borrower_name", "bank", "amount", "term_months")
LOAN_COLUMNS += ("annual_rate", "interest_subsidy_rate", "issue_date", "ref")


def labourers_of(demo: Demo, county: County) -> list[tuple[Household, Member]]:
    share = demo.options.sizes.labourer_share
    chosen = []
    for household in demo.households[county.code]:
        if household.kind != "exited_poverty":
            continue
        for member in household.members:
            if not 16 <= age_on(member, demo.today) <= 60 or member.labour_ability not in ABLE:
                continue
            if rng(demo.seed, "labourer", member.person_number).random() < share:
                chosen.append((household, member))
    return chosen


async def record_work(demo: Demo) -> None:
    plans = {county.code: labourers_of(demo, county) for county in demo.counties}
    bar = demo.progress("labourers 劳动力", sum(len(rows) for rows in plans.values()))
    for county in demo.counties:
        admin = demo.account("county_admin", county.code)
        registered = await each(
            [(admin, member) for _, member in plans[county.code]],
            lambda job: _register(demo, *job),
            bar.advance,
        )
        fresh = [pair[1] for pair, new in zip(plans[county.code], registered, strict=True) if new]
        await _load_spells(demo, county, fresh)
    bar.finish()
    await _lend(demo)
    for county in demo.counties:
        await _count(demo, county)


async def _count(demo: Demo, county: County) -> None:
    admin = demo.account("county_admin", county.code)
    labourers = []
    for village in county.villages:
        labourers += await demo.api.all(admin, f"{EMPLOYMENT}/labourers", {"village": village.code})
    spells = await each(
        labourers,
        lambda row: demo.api.call(admin, "GET", f"{EMPLOYMENT}/labourers/{row['id']}/spells"),
        lambda: None,
    )
    demo.report["labourers"] += len(labourers)
    demo.report["spells"] += sum(len(answer.json()) for answer in spells)
    for loan in await demo.api.all(admin, f"{EMPLOYMENT}/loans"):
        if loan["area_code"].startswith(county.code[:6]):
            demo.report[f"loans:{loan['status']}"] += 1


async def _register(demo: Demo, admin: Any, member: Member) -> bool:
    """Whether the labourer is new (a re-run finds it registered)."""
    randomness = rng(demo.seed, "skills", member.person_number)
    body = {
        "person_number": member.person_number,
        "name": member.name,
        "skills": sorted(set(randomness.sample(SKILLS, randomness.randint(0, 2)))),
        "certificates": [],
    }
    answer = await demo.api.call(
        admin, "POST", f"{EMPLOYMENT}/labourers", json_body=body, expect=(201, 409), purpose="lab"
    )
    if answer.status_code == 409 and answer.json().get("code") != "labourer_already_registered":
        raise DemoError(f"labourer refused: {answer.text[:300]}")
    return answer.status_code == 201


def _place(member: Member) -> str:
    if member.work_place == "本县" or member.work_place is None:
        return "in_county"
    return "in_province" if member.work_place == "郑州" else "out_of_province"


async def _load_spells(demo: Demo, county: County, labourers: list[Member]) -> None:
    """Jobs of the labourers registered in this run: three in four have one."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SPELL_COLUMNS)
    rows = 0
    for member in labourers:
        randomness = rng(demo.seed, "spell", member.person_number)
        if randomness.random() >= 0.75:
            continue
        start = min(demo.today, datetime.date(demo.today.year, randomness.randint(1, 3), 1))
        place = _place(member)
        kind = (
            "self_employed" if place == "in_county" and randomness.random() < 0.3 else "enterprise"
        )
        employer = "个体经营" if kind == "self_employed" else randomness.choice(EMPLOYERS)
        wage = f"{randomness.randrange(2500, 6500, 100)}.00"
        writer.writerow((member.person_number, employer, place, kind, start.isoformat(), wage))
        rows += 1
    if rows:
        await _bulk(demo, county, "employment-spells", out.getvalue().encode())


async def _bulk(demo: Demo, county: County, what: str, body: bytes) -> dict[str, Any]:
    answer = await demo.api.call(
        demo.account("county_admin", county.code),
        "POST",
        f"{EMPLOYMENT}/bulk/{what}",
        content=body,
        content_type="text/csv",
        purpose=f"bulk-{what}",
    )
    report: dict[str, Any] = answer.json()
    if report["rejected"]:
        raise DemoError(f"bulk {what} of {county.code}: {report['problems'][:3]}")
    return report


async def _lend(demo: Demo) -> None:
    bar = demo.progress("loans 小额信贷", len(demo.counties))
    for county in demo.counties:
        admin = demo.account("county_admin", county.code)
        holding = {
            loan["household_id"] for loan in await demo.api.all(admin, f"{EMPLOYMENT}/loans")
        }
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(LOAN_COLUMNS)
        rows = 0
        for household in demo.households[county.code]:
            randomness = rng(demo.seed, "loan", household.number)
            if (
                household.kind != "exited_poverty"
                or randomness.random() >= demo.options.sizes.loan_share
            ):
                continue
            if demo.household_ids[household.number] in holding:
                continue
            borrower = next(
                (m for m in household.members if 18 <= age_on(m, demo.today) <= 65), None
            )
            if borrower is None:
                continue
            issued = demo.today - datetime.timedelta(days=randomness.randint(30, 300))
            writer.writerow(
                (
                    borrower.person_number,
                    borrower.name,
                    randomness.choice(BANKS),
                    f"{randomness.randrange(10, 51) * 1000}.00",
                    randomness.choice((12, 24, 36)),
                    "3.450",
                    "3.450",
                    issued.isoformat(),
                    f"demo-{demo.seed}-{household.number}",
                )
            )
            rows += 1
        if rows:
            await _bulk(demo, county, "loans", out.getvalue().encode())
            await _confirm(demo, admin)
        bar.advance()
    bar.finish()


async def _confirm(demo: Demo, admin: Any) -> None:
    """The batch eligibility check (批量资格复核) until nothing of the county waits."""
    while True:
        answer = await demo.api.call(
            admin,
            "POST",
            f"{EMPLOYMENT}/loans/eligibility-checks",
            json_body={"limit": 500},
            purpose=f"eligibility-{datetime.datetime.now().timestamp()}",
        )
        result = answer.json()
        if result["still_pending"]:
            raise DemoError(f"the monitoring service could not confirm loans: {result}")
        if result["checked"] < 500:
            return
