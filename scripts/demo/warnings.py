"""Department warnings (行业部门预警): one batch of department records pushed by the feed
client, about some registered people (warnings) and some the registry does not hold (leads);
then village officers acknowledge, dismiss or open cases from some of them.

Records carry ids from the seed: a department resending them changes nothing."""

from __future__ import annotations

import asyncio
import datetime
import json
import random
import time
from typing import Any

from scripts.demo.accounts import FEED_ROLE
from scripts.demo.api import DemoError, each
from scripts.demo.context import Demo
from scripts.demo.people import PersonNumbers, person_name, rng

MONITORING = "/api/v1/monitoring"
BATCH_SECONDS = 300
# (source, event type, out-of-pocket range in yuan or None): each fires a default rule.
EVENTS: tuple[tuple[str, str, tuple[int, int] | None], ...] = (
    ("medical_insurance", "inpatient", (21_000, 90_000)),
    ("medical_insurance", "inpatient", (21_000, 90_000)),
    ("civil_affairs", "minimum_living_allowance", None),
    ("housing", "house_rated_d", None),
    ("disability_federation", "new_certificate", None),
    ("emergency_management", "disaster_loss", (3_000, 30_000)),
    ("water", "unsafe_drinking_water", None),
)
DETAILS = {
    "medical_insurance": {"diagnosis": "脑梗死", "hospital": "县人民医院"},
    "emergency_management": {"disaster": "暴雨洪涝"},
}


def _record(
    randomness: random.Random,
    record_id: str,
    number: str,
    name: str,
    area: str,
    today: datetime.date,
) -> dict[str, Any]:
    source, event_type, amounts = randomness.choice(EVENTS)
    record: dict[str, Any] = {
        "record_id": record_id,
        "source": source,
        "person_number": number,
        "name": name,
        "area_code": area,
        "event_type": event_type,
        "event_date": (today - datetime.timedelta(days=randomness.randint(1, 60))).isoformat(),
        "details": DETAILS.get(source, {"note": "月度比对"}),
    }
    if amounts:
        record["amount"] = f"{randomness.randint(*amounts)}.00"
    return record


def records(demo: Demo) -> list[dict[str, Any]]:
    share = demo.options.sizes.warning_share
    made: list[dict[str, Any]] = []
    for household in demo.all_households():
        for member in household.members:
            randomness = rng(demo.seed, "feed", member.person_number)
            if randomness.random() < share:
                record_id = f"demo-{demo.seed}-{member.person_number[-8:]}-{len(made)}"
                made.append(
                    _record(
                        randomness,
                        record_id,
                        member.person_number,
                        member.name,
                        household.village,
                        demo.today,
                    )
                )
    strangers = PersonNumbers()  # born 1935-1939: older than any generated member
    for county in demo.counties:
        randomness = rng(demo.seed, "leads", county.code)
        villages = county.villages
        for position in range(demo.options.sizes.leads_per_county):
            birth = datetime.date(1935 + position % 5, 1, 1) + datetime.timedelta(
                days=randomness.randrange(365)
            )
            number = strangers.next(county.code, birth)
            village = villages[position % len(villages)].code
            record_id = f"demo-{demo.seed}-lead-{county.code[:6]}-{position}"
            made.append(
                _record(randomness, record_id, number, person_name(randomness), village, demo.today)
            )
    return made


async def push_feed(demo: Demo) -> None:
    feed = demo.accounts[(FEED_ROLE, demo.options.province[:2])]
    pushed = records(demo)
    bar = demo.progress("feeds 部门数据", len(pushed))
    if pushed:
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in pushed).encode()
        answer = await demo.api.call(
            feed,
            "POST",
            f"{MONITORING}/feed-batches",
            content=body,
            content_type="application/x-ndjson",
            expect=(202,),
            purpose="feed",
        )
        batch = answer.json()
        deadline = time.monotonic() + BATCH_SECONDS
        while batch["state"] not in ("done", "failed"):
            if time.monotonic() > deadline:
                raise DemoError(f"the feed batch {batch['id']} is still {batch['state']}")
            await asyncio.sleep(0.5)
            batch = (
                await demo.api.call(feed, "GET", f"{MONITORING}/feed-batches/{batch['id']}")
            ).json()
            bar.done = batch["processed"]
            bar.advance(0)
        if batch["state"] != "done" or batch["rejected"]:
            raise DemoError(f"the feed batch ended {batch['state']}, {batch['rejected']} rejected")
    bar.finish()
    demo.report["department_records"] = len(pushed)
    await _handle(demo)


async def _handle(demo: Demo) -> None:
    """Officers act on what is still open: a re-run finds them handled and does nothing."""
    kinds = {h.number: h.kind for h in demo.all_households()}
    numbers = {identifier: number for number, identifier in demo.household_ids.items()}
    found: list[tuple[str, dict[str, Any]]] = []
    for county in demo.counties:
        reader = demo.account("county_admin", county.code)
        for kind in ("warnings", "leads"):
            rows = await demo.api.all(reader, f"{MONITORING}/{kind}")
            found += [(kind, row) for row in rows if row["area_code"].startswith(county.code[:6])]
    found.sort(
        key=lambda item: (
            item[0],
            item[1]["area_code"],
            item[1]["person_name"],
            item[1]["rule_code"],
        )
    )
    converted: set[str] = set()
    plans = []
    for kind, row in found:
        household = numbers.get(row["household_id"] or "")
        choice = rng(demo.seed, kind, household, row["person_name"], row["rule_code"]).random()
        if row["state"] != "open":
            continue
        if kind == "warnings" and choice >= 0.55 and household and household not in converted:
            converted.add(household)
            plans.append((kind, row, "case", kinds.get(household, "ordinary")))
        elif choice < 0.3:
            plans.append((kind, row, "acknowledge", ""))
        elif choice < 0.55:
            plans.append((kind, row, "dismiss", ""))
    bar = demo.progress("warnings 预警处置", len(plans))
    await each(plans, lambda plan: _act(demo, *plan), bar.advance)
    bar.finish()
    for county in demo.counties:
        reader = demo.account("county_admin", county.code)
        for kind in ("warnings", "leads"):
            for row in await demo.api.all(reader, f"{MONITORING}/{kind}"):
                if row["area_code"].startswith(county.code[:6]):
                    demo.report[f"{kind}:{row['state']}"] += 1


async def _act(
    demo: Demo, kind: str, row: dict[str, Any], action: str, household_kind: str
) -> None:
    officer = demo.account("village_officer", row["area_code"])
    path = f"{MONITORING}/{kind}/{row['id']}/{action}"
    body: dict[str, Any] | None = None
    if action == "dismiss":
        body = {"reason": "核实后生活稳定，不需纳入 (verified: stable)"}
    elif action == "case":
        category = "unstable_exited" if household_kind == "exited_poverty" else "sudden_hardship"
        body = {"proposed_category": category}
    await demo.api.call(
        officer, "POST", path, json_body=body, version=row["version"], purpose=f"{kind}-{action}"
    )
