"""Cases answer only inside the caller's area: 404 outside, exactly like a missing case."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.monitoring.cases.support import (
    CASES,
    Staff,
    act,
    identification,
    open_case,
    open_ok,
    problem,
)
from tests.support.identities import (
    CITY,
    OTHER_COUNTY,
    OTHER_TOWNSHIP,
    OTHER_VILLAGE,
    PROVINCE,
    TokenFactory,
)
from tests.support.monitoring import create_household

NEIGHBOUR_VILLAGE = "411424105202"  # same township, another village


async def test_another_areas_principals_get_404_for_every_id(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"])
    outsiders = {
        "other village officer": tokens.headers(Role.VILLAGE_OFFICER, OTHER_VILLAGE),
        "neighbour village officer": tokens.headers(Role.VILLAGE_OFFICER, NEIGHBOUR_VILLAGE),
        "other township reviewer": tokens.headers(Role.TOWNSHIP_REVIEWER, OTHER_TOWNSHIP),
        "other county approver": tokens.headers(Role.COUNTY_APPROVER, OTHER_COUNTY),
        "other county admin": tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY),
    }
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **identification(household))
        for who, headers in outsiders.items():
            read = await client.get(f"{CASES}/{case['id']}", headers=headers)
            assert read.status_code == 404, who
            problem(read, 404, "not_found")
            step = await act(client, headers, case, "home_verification", consent_signed=True)
            problem(step, 404, "not_found")
            listed = await client.get(CASES, headers=headers)
            assert listed.status_code == 200 and listed.json()["items"] == [], who
        for headers in (outsiders["other village officer"], outsiders["other county admin"]):
            opened = await open_case(client, headers, **identification(household))
            problem(opened, 404, "not_found")
        missing = await client.get(f"{CASES}/{uuid.uuid4()}", headers=staff.officer)
        problem(missing, 404, "not_found")


async def test_readers_above_the_county_see_it_and_feeds_do_not(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = Staff(tokens)
    household = await create_household(apps["monitoring"])
    async with client_for("monitoring") as client:
        case = await open_ok(client, staff.officer, **identification(household))
        for headers in (
            tokens.headers(Role.CITY_VIEWER, CITY),
            tokens.headers(Role.PROVINCE_VIEWER, PROVINCE),
            tokens.headers(Role.PROVINCE_SYSTEM, PROVINCE),
            tokens.administrator(),
        ):
            read = await client.get(f"{CASES}/{case['id']}", headers=headers)
            assert read.status_code == 200, read.text
        feed = tokens.headers(Role.DEPARTMENT_FEED, PROVINCE)
        problem(await client.get(CASES, headers=feed), 403, "role_not_allowed")
        problem(await client.get(f"{CASES}/{case['id']}", headers=feed), 403, "role_not_allowed")
        viewer = tokens.headers(Role.CITY_VIEWER, CITY)
        step = await act(client, viewer, case, "home_verification", consent_signed=True)
        problem(step, 403, "role_not_allowed_for_step")
