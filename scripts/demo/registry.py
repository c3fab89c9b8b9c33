"""Households and members (农户台账) through the bulk import, one NDJSON file a county sent by
its county administrator; households are matched by number, so a re-import changes nothing."""

from __future__ import annotations

import json

from scripts.demo.api import DemoError
from scripts.demo.context import Demo
from scripts.demo.people import PersonNumbers, households

MONITORING = "/api/v1/monitoring"


async def import_households(demo: Demo) -> None:
    numbers = PersonNumbers()
    for county in demo.counties:
        demo.households[county.code] = [
            household
            for village in county.villages
            for household in households(demo.seed, village, demo.options.sizes, numbers, demo.today)
        ]
    bar = demo.progress("households 农户", len(demo.all_households()))
    for county in demo.counties:
        rows = [
            row for household in demo.households[county.code] for row in household.import_rows()
        ]
        if not rows:
            continue
        body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()
        report = (
            await demo.api.call(
                demo.account("county_admin", county.code),
                "POST",
                f"{MONITORING}/imports/households",
                content=body,
                content_type="application/x-ndjson",
                purpose=f"households-{county.code}",
            )
        ).json()
        if report["rejected_count"]:
            raise DemoError(f"households of {county.code} refused: {report['rejected'][:3]}")
        await _learn_ids(demo, county.code)
        bar.advance(len(demo.households[county.code]))
    bar.finish()
    everyone = demo.all_households()
    demo.report["households"] = len(everyone)
    demo.report["members"] = sum(len(household.members) for household in everyone)


async def _learn_ids(demo: Demo, county: str) -> None:
    officer = demo.account("county_admin", county)
    villages = {household.village for household in demo.households[county]}
    for village in sorted(villages):
        listed = await demo.api.all(officer, f"{MONITORING}/households", {"village": village})
        for row in listed:
            if row["household_number"]:
                demo.household_ids[row["household_number"]] = row["id"]
    missing = [h.number for h in demo.households[county] if h.number not in demo.household_ids]
    if missing:
        raise DemoError(f"households not found after the import: {missing[:5]}")
