"""Linkage funds (衔接资金): per county one allocation from each level, projects through their
whole life by the right roles (the village proposes, the township reviews, the county decides,
starts, completes and accepts), funds linked to them and paid out.

Records are found again by document number and project name, and a project resumes from its
status, so a re-run adds nothing that is there."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from scripts.demo.api import each
from scripts.demo.context import Demo
from scripts.demo.people import County, rng

FUNDS = "/api/v1/funds"
LEVELS: tuple[tuple[str, Decimal], ...] = (
    ("central", Decimal("0.5")),
    ("provincial", Decimal("0.3")),
    ("municipal", Decimal("0.15")),
    ("county", Decimal("0.15")),
)
LABELS = (
    ("industry", "肉牛养殖产业项目"),
    ("industry", "设施蔬菜大棚项目"),
    ("infrastructure", "产业路硬化项目"),
    ("industry", "光伏电站项目"),
    ("employment", "帮扶车间建设项目"),
    ("infrastructure", "安全饮水巩固提升项目"),
    ("industry", "特色林果种植项目"),
    ("other", "人居环境整治项目"),
)
# The status each project ends in, in turn; the interesting ones first.
TARGETS: tuple[str, ...] = (
    "accepted",
    "started",
    "completed",
    "approved",
    "proposed",
    "reviewed",
    "rejected",
    "cancelled",
)
TRACKS: dict[str, tuple[str, ...]] = {
    "proposed": (),
    "reviewed": ("review",),
    "rejected": ("review", "reject"),
    "cancelled": ("review", "cancel"),
    "approved": ("review", "approve", "link"),
    "started": ("review", "approve", "link", "start", "pay"),
    "completed": ("review", "approve", "link", "start", "pay", "complete"),
    "accepted": ("review", "approve", "link", "start", "pay", "complete", "accept"),
}
REACHES = {"review": "reviewed", "approve": "approved", "reject": "rejected"}
REACHES |= {"cancel": "cancelled", "start": "started", "complete": "completed"}
REACHES |= {"accept": "accepted"}
ORDER = ("proposed", "reviewed", "approved", "started", "completed", "accepted")
ACTORS = {"review": "township_reviewer", "approve": "county_approver"}
ACTORS |= {"reject": "county_approver", "accept": "county_approver"}
NOTES = {"reject": "不符合入库条件", "cancel": "选址变更，项目取消"}


def money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))}"


def project_plans(demo: Demo, county: County) -> list[dict[str, Any]]:
    year = demo.today.year
    villages = county.villages
    plans = []
    for position in range(demo.options.sizes.projects_per_county):
        randomness = rng(demo.seed, "project", county.code, position)
        village = villages[position % len(villages)]
        category, label = LABELS[position % len(LABELS)]
        planned = Decimal(randomness.randrange(200, 3000)) * 1000
        households = randomness.randint(10, 120)
        plans.append(
            {
                "target": TARGETS[position % len(TARGETS)],
                "share": Decimal(randomness.choice(("0.5", "0.8", "1"))),
                "body": {
                    "name": f"{year}年{village.name}{label}（{position + 1}号）",
                    "category": category,
                    "area_code": village.code,
                    "year": year,
                    "responsible_unit": f"{county.name}乡村振兴局",
                    "planned_start": datetime.date(year, 1, 1).isoformat(),
                    "planned_end": datetime.date(year, 12, 31).isoformat(),
                    "planned_amount": money(planned),
                    "beneficiary_households": households,
                    "beneficiary_people": households * 3,
                    "benefit_mechanisms": ["wages", "dividends"],
                    "performance_targets": [
                        {"indicator": "带动脱贫户增收", "target_value": "1500", "unit": "元/户"}
                    ],
                },
            }
        )
    return plans


async def record_funds(demo: Demo) -> None:
    plans = {county.code: project_plans(demo, county) for county in demo.counties}
    for county_plans in plans.values():
        assign_allocations(county_plans)
    total = sum(len(rows) for rows in plans.values())
    bar = demo.progress("funds 衔接资金", total + len(demo.counties))
    for county in demo.counties:
        allocations = await _allocate(demo, county, plans[county.code])
        bar.advance()
        jobs = [(county, plan, allocations) for plan in plans[county.code]]
        await each(jobs, lambda job: _project(demo, *job), bar.advance)
    bar.finish()
    for county in demo.counties:
        reader = demo.account("county_admin", county.code)
        params = {"area": county.code}
        demo.report["allocations"] += len(
            await demo.api.all(reader, f"{FUNDS}/allocations", params)
        )
        for row in await demo.api.all(reader, f"{FUNDS}/projects", params):
            demo.report[f"projects:{row['status']}"] += 1
        demo.report["fund_links"] += len(await demo.api.all(reader, f"{FUNDS}/fund-links", params))
        demo.report["payments"] += len(await demo.api.all(reader, f"{FUNDS}/payments", params))


async def _allocate(
    demo: Demo, county: County, plans: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], Decimal]]:
    """The county's allocations, with what this plan may still link from each."""
    admin = demo.account("county_admin", county.code)
    year = demo.today.year
    existing = {
        row["document_number"]: row
        for row in await demo.api.all(admin, f"{FUNDS}/allocations", {"area": county.code})
    }
    planned = sum(Decimal(plan["body"]["planned_amount"]) for plan in plans) or Decimal(1000000)
    made = []
    for index, (level, share) in enumerate(LEVELS):
        document = f"豫财农〔{year}〕{county.code[2:6]}{index + 1}号"
        row = existing.get(document)
        if row is None:
            body = {
                "area_code": county.code,
                "year": year,
                "level": level,
                "document_number": document,
                "issued_on": min(demo.today, datetime.date(year, 1 + 2 * index, 10)).isoformat(),
                "amount": money(planned * share),
                "title": f"{year}年衔接推进乡村振兴补助资金",
            }
            answer = await demo.api.call(
                admin, "POST", f"{FUNDS}/allocations", json_body=body, purpose="allocation"
            )
            row = answer.json()
        made.append((row, planned * share))
    return made


async def _project(
    demo: Demo,
    county: County,
    plan: dict[str, Any],
    allocations: list[tuple[dict[str, Any], Decimal]],
) -> None:
    body, target = plan["body"], plan["target"]
    officer = demo.account("village_officer", body["area_code"])
    admin = demo.account("county_admin", county.code)
    found = await demo.api.all(admin, f"{FUNDS}/projects", {"area": body["area_code"]})
    project = next((row for row in found if row["name"] == body["name"]), None)
    if project is None:
        answer = await demo.api.call(
            officer, "POST", f"{FUNDS}/projects", json_body=body, purpose="project"
        )
        project = answer.json()
    project = (await demo.api.call(admin, "GET", f"{FUNDS}/projects/{project['id']}")).json()
    link = await _first_link(demo, admin, project["id"])
    for operation in TRACKS[target]:
        if operation == "link":
            if link is None:
                link = await _link(demo, admin, project, plan, allocations)
            continue
        if operation == "pay":
            if Decimal(project["paid"]) == 0 and link is not None:
                await _pay(demo, admin, link, plan)
            continue
        reached = REACHES[operation]
        if project["status"] == reached or (
            reached in ORDER
            and project["status"] in ORDER
            and ORDER.index(project["status"]) >= ORDER.index(reached)
        ):
            continue
        who = demo.account(ACTORS.get(operation, "county_admin"), body["area_code"])
        step: dict[str, Any] = {"action": operation}
        if operation in NOTES:
            step["note"] = NOTES[operation]
        answer = await demo.api.call(
            who,
            "POST",
            f"{FUNDS}/projects/{project['id']}/transitions",
            json_body=step,
            version=project["version"],
            purpose="project-step",
        )
        project = answer.json()


async def _first_link(demo: Demo, admin: Any, project_id: str) -> dict[str, Any] | None:
    links = await demo.api.all(admin, f"{FUNDS}/fund-links", {"project_id": project_id})
    return links[0] if links else None


async def _link(
    demo: Demo,
    admin: Any,
    project: dict[str, Any],
    plan: dict[str, Any],
    allocations: list[tuple[dict[str, Any], Decimal]],
) -> dict[str, Any]:
    body = {
        "allocation_id": allocations[plan["allocation"]][0]["id"],
        "project_id": project["id"],
        "amount": money(plan["link_amount"]),
    }
    answer = await demo.api.call(
        admin, "POST", f"{FUNDS}/fund-links", json_body=body, purpose="link"
    )
    return dict(answer.json())


def assign_allocations(plans: list[dict[str, Any]]) -> None:
    """Which allocation each linked project draws on, and how much: 80% of its plan from the
    first level with room left (the levels carry 110% of all plans between them)."""
    planned = sum(Decimal(plan["body"]["planned_amount"]) for plan in plans)
    left = [planned * share for _, share in LEVELS]
    for plan in plans:
        if "link" not in TRACKS[plan["target"]]:
            continue
        need = (Decimal(plan["body"]["planned_amount"]) * Decimal("0.8")).quantize(Decimal(1000))
        index = next((i for i, room in enumerate(left) if room >= need), None)
        if index is None:
            index = max(range(len(left)), key=lambda i: left[i])
            need = left[index].quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        left[index] -= need
        plan["allocation"], plan["link_amount"] = index, need


async def _pay(demo: Demo, admin: Any, link: dict[str, Any], plan: dict[str, Any]) -> None:
    amount = (Decimal(link["amount"]) * plan["share"]).quantize(Decimal("0.01"))
    body = {
        "link_id": link["id"],
        "amount": money(amount),
        "voucher_number": f"记-{demo.today:%Y%m}-{link['id'][:8]}",
        "paid_on": demo.today.isoformat(),
        "payee": "项目实施单位",
    }
    await demo.api.call(admin, "POST", f"{FUNDS}/payments", json_body=body, purpose="payment")
