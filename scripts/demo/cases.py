"""Identification cases (识别纳入) in every state, each step taken by its role: the village
officer verifies at home, compares data and holds the village review (starting the public
notice), the township reviewer sends back, rejects or completes its review, the county
approves.

The township can complete its review only once the notice has run (`notice_ends_on`, from the
server's `MONITORING_NOTICE_DAYS`, 5 by default), so cases are recorded as opened
`OPENED_DAYS_AGO` days ago (`opened_on`, as an officer records a paper application late) with
the notice started that day: with the default notice the approved track reaches the county on
the first run, with a longer one a later run takes it on. A case's version counts its steps, so
a re-run resumes each case where it stands."""

from __future__ import annotations

import datetime
from typing import Any

from scripts.demo.api import each
from scripts.demo.context import Demo
from scripts.demo.people import Household, rng

CASES = "/api/v1/monitoring/cases"
OPENED_DAYS_AGO = 7  # the default notice of 5 days has run
RISK_TYPES = (
    "illness",
    "illness",
    "disability",
    "education",
    "natural_disaster",
    "accident",
    "lack_of_labour",
    "unstable_employment",
    "unsafe_housing",
)
Step = tuple[str, str, str, dict[str, Any]]
HOME: Step = ("home_verification", "complete", "village_officer", {"consent_signed": True})
COMPARE: Step = ("data_comparison", "complete", "village_officer", {"findings": "与部门数据一致"})
RETURN: Step = (
    "data_comparison",
    "send_back",
    "village_officer",
    {"findings": "收入数据需重新核实"},
)
REVIEW: Step = ("village_review", "complete", "village_officer", {"objections": []})
SEND_BACK: Step = (
    "township_review",
    "send_back",
    "township_reviewer",
    {"findings": "评议材料不全"},
)
REJECT: Step = ("township_review", "reject", "township_reviewer", {"findings": "收入高于监测标准"})
APPROVE_TOWNSHIP: Step = ("township_review", "complete", "township_reviewer", {"findings": "同意"})
APPROVE_COUNTY: Step = ("county_approval", "complete", "county_approver", {"findings": "批准纳入"})
# (track, weight, steps after opening); the track's last state is in the name's comment.
TRACKS: tuple[tuple[str, int, tuple[Step, ...]], ...] = (
    ("opened", 2, ()),  # home_verification
    ("verified", 2, (HOME,)),  # data_comparison
    ("compared", 2, (HOME, COMPARE)),  # village_review
    ("returned", 1, (HOME, RETURN)),  # home_verification again
    ("in_notice", 3, (HOME, COMPARE, REVIEW)),  # township_review
    ("sent_back", 1, (HOME, COMPARE, REVIEW, SEND_BACK)),  # village_review again
    ("rejected", 1, (HOME, COMPARE, REVIEW, REJECT)),  # closed, rejected
    ("approved", 3, (HOME, COMPARE, REVIEW, APPROVE_TOWNSHIP, APPROVE_COUNTY)),  # closed
)


def track_of(demo: Demo, household: Household) -> tuple[str, tuple[Any, ...]] | None:
    randomness = rng(demo.seed, "case", household.number)
    if randomness.random() >= demo.options.sizes.case_share:
        return None
    name, _, steps = randomness.choices(TRACKS, [weight for _, weight, _ in TRACKS])[0]
    return name, steps


def opening(demo: Demo, household: Household) -> dict[str, Any]:
    randomness = rng(demo.seed, "case-opening", household.number)
    if household.kind == "exited_poverty":
        category = "unstable_exited"
    else:
        category = randomness.choice(("marginal", "marginal", "sudden_hardship"))
    return {
        "household_id": demo.household_ids[household.number],
        "procedure": "identification",
        "source": randomness.choice(("application", "officer_finding")),
        "proposed_category": category,
        "proposed_risk_types": sorted(set(randomness.sample(RISK_TYPES, 2))),
        "opened_on": (demo.today - datetime.timedelta(days=OPENED_DAYS_AGO)).isoformat(),
    }


async def open_cases(demo: Demo) -> None:
    existing: dict[str, dict[str, Any]] = {}
    for county in demo.counties:
        reader = demo.account("county_admin", county.code)
        for case in await demo.api.all(reader, CASES, {"procedure": "identification"}):
            existing.setdefault(case["household_id"], case)
    work = []
    for household in demo.all_households():
        track = track_of(demo, household)
        found = existing.get(demo.household_ids[household.number])
        if track and (found is None or found["source"] != "department_warning"):
            work.append((household, track[1], found))
    bar = demo.progress("cases 识别纳入", len(work))
    await each(work, lambda item: _drive(demo, *item), bar.advance)
    bar.finish()
    for county in demo.counties:
        reader = demo.account("county_admin", county.code)
        for case in await demo.api.all(reader, CASES):
            state = case["state"] if case["state"] != "closed" else f"closed_{case['outcome']}"
            demo.report[f"cases:{state}"] += 1


async def _drive(
    demo: Demo, household: Household, steps: tuple[Any, ...], case: dict[str, Any] | None
) -> None:
    officer = demo.account("village_officer", household.village)
    if case is None:
        answer = await demo.api.call(
            officer, "POST", CASES, json_body=opening(demo, household), purpose="case"
        )
        case = answer.json()
    opened_on = datetime.date.fromisoformat(case["opened_on"])
    for step, action, role, data in steps[case["version"] - 1 :]:
        if step == "village_review":
            data = {**data, "notice_started_on": opened_on.isoformat()}
        notice_ends = case.get("notice_ends_on")
        if (
            step == "township_review"
            and action == "complete"
            and notice_ends is not None
            and demo.today < datetime.date.fromisoformat(notice_ends)
        ):
            return  # the notice is still running: a later run takes the case on
        who = demo.account(role, household.village)
        body = {"step": step, "action": action, **data}
        answer = await demo.api.call(
            who,
            "POST",
            f"{CASES}/{case['id']}/steps",
            json_body=body,
            version=case["version"],
            purpose="case-step",
        )
        case = answer.json()
