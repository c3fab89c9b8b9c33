"""Areas (区划): the province's counties from the national registry, then townships and
villages registered through the CSV import (re-importing the same file creates nothing)."""

from __future__ import annotations

import csv
import io

from scripts.demo.api import DemoError
from scripts.demo.context import Demo
from scripts.demo.people import County, county_places, known_region


async def choose_counties(demo: Demo) -> list[tuple[str, str]]:
    """The first counties of the province by code, rural counties (县) before districts."""
    api, admin, province = demo.api, demo.admin, demo.options.province
    cities = await api.all(admin, "/api/v1/areas", {"parent": province, "level": "city"})
    counties: list[tuple[str, str]] = []
    for city in cities:
        children = await api.all(
            admin, "/api/v1/areas", {"parent": city["code"], "level": "county"}
        )
        counties += [(county["code"], county["name"]) for county in children]
    ranked = sorted(
        counties,
        key=lambda item: (not item[1].endswith("县"), not known_region(item[0]), item[0]),
    )
    wanted = demo.options.sizes.counties
    if len(ranked) < wanted:
        raise DemoError(f"the province {province} has {len(ranked)} counties, not {wanted}")
    return sorted(ranked[:wanted])


def areas_csv(county: County) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("code", "name", "parent_code"))
    for township in county.townships:
        writer.writerow((township.code, township.name, county.code))
        for village in township.villages:
            writer.writerow((village.code, village.name, township.code))
    return out.getvalue().encode()


async def register_places(demo: Demo) -> None:
    sizes = demo.options.sizes
    demo.counties = [
        county_places(demo.seed, code, name, sizes) for code, name in await choose_counties(demo)
    ]
    bar = demo.progress("areas 区划", len(demo.counties))
    for county in demo.counties:
        body = areas_csv(county)
        answer = await demo.api.call(
            demo.admin,
            "POST",
            "/api/v1/areas/import",
            files={"file": (f"{county.code}.csv", body, "text/csv")},
            purpose=f"areas-{county.code}",
        )
        report = answer.json()
        if report["rejected"]:
            raise DemoError(f"areas of {county.code} refused: {report['rejected'][:3]}")
        bar.advance()
    bar.finish()
    demo.report["counties"] = len(demo.counties)
    demo.report["townships"] = sum(len(county.townships) for county in demo.counties)
    demo.report["villages"] = sum(len(county.villages) for county in demo.counties)
