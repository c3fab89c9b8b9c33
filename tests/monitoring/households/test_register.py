"""Registering households: validation, protection of personal data, figures, scope."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.auth.roles import Role
from services.monitoring.models import Member
from tests.monitoring.households.support import figures, household, member, posting, register
from tests.support.identities import COUNTY, OTHER_VILLAGE, TOWNSHIP, VILLAGE, TokenFactory
from tests.support.monitoring import person_number


async def test_register_masks_and_encrypts_personal_data(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    head = member(person_number=person_number())
    async with client_for("monitoring") as client:
        created = await register(
            client, tokens.village_officer(), members=[head, member("spouse", "李秀英")]
        )
    assert created["head_name"] == "王建国" and created["member_count"] == 2
    assert created["phone"] == "138****5678"
    shown = created["members"][0]["person_number"]
    number = head["person_number"]
    assert shown == number[:6] + "*" * 8 + number[-4:]
    assert number not in str(created)
    assert created["members"][0]["sex"] in {"male", "female"}
    async with apps["monitoring"].state.database.sessionmaker() as session:
        stored = (
            await session.scalars(select(Member).where(Member.person_number_masked == shown))
        ).one()
    assert number.encode() not in stored.person_number_cipher
    assert (
        apps["monitoring"].state.protector.reveal_person_number(stored.person_number_cipher)
        == number
    )


async def test_figures_follow_registration(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    async with client_for("monitoring") as client:
        await register(client, tokens.village_officer())
        await register(client, tokens.village_officer(), kind="ordinary", members=[member()])
    assert await figures(apps["monitoring"]) == {
        "households": 2,
        "people": 4,
        "exited_poverty_households": 1,
        "exited_poverty_people": 3,
    }


async def test_each_rule_names_its_field(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    cases = {
        "body.members.0.person_number": (
            household(members=[member(person_number="411424198005170000")]),
            "check_digit",
        ),
        "body.members.1.labour_ability": (
            household(members=[member(), member("son", labour_ability="strong")]),
            "code_unknown",
        ),
        "body.members": (household(members=[member("son")]), "one_head"),
        "body.area_code": (household(area_code=TOWNSHIP), "not_a_village"),
        "body.phone": (household(phone="12345"), "phone_format"),
        "body.members.0.work_months": (
            household(members=[member(work_months=13)]),
            "less_than_equal",
        ),
    }
    async with client_for("monitoring") as client:
        for field, (body, rule) in cases.items():
            answer = await client.post(
                "/api/v1/households", json=body, headers=posting(tokens.village_officer())
            )
            assert answer.status_code == 422, (field, answer.text)
            assert answer.json()["fields"][0]["field"] == field
            assert answer.json()["fields"][0]["rule"] == rule
        outside = await client.post(
            "/api/v1/households",
            json=household(area_code=OTHER_VILLAGE),
            headers=posting(tokens.county_admin()),
        )
        assert outside.json()["fields"][0]["rule"] == "area_out_of_scope"


async def test_a_person_belongs_to_one_household(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    number = person_number()
    async with client_for("monitoring") as client:
        twice = await client.post(
            "/api/v1/households",
            json=household(
                members=[member(person_number=number), member("son", person_number=number)]
            ),
            headers=posting(tokens.village_officer()),
        )
        assert twice.status_code == 422 and twice.json()["fields"][0]["rule"] == "duplicate_person"
        await register(client, tokens.village_officer(), members=[member(person_number=number)])
        again = await client.post(
            "/api/v1/households",
            json=household(members=[member(person_number=number.lower())]),
            headers=posting(tokens.village_officer()),
        )
        assert again.status_code == 409 and again.json()["code"] == "person_already_registered"


async def test_household_number_is_unique(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    async with client_for("monitoring") as client:
        await register(client, tokens.village_officer(), household_number="4114241052010001")
        again = await client.post(
            "/api/v1/households",
            json=household(household_number="4114241052010001", members=[member()]),
            headers=posting(tokens.village_officer()),
        )
    assert again.status_code == 409 and again.json()["code"] == "household_number_taken"


async def test_roles_and_scope(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    async with client_for("monitoring") as client:
        created = await register(client, tokens.village_officer())
        viewer = await client.post(
            "/api/v1/households",
            json=household(),
            headers=posting(tokens.headers(Role.CITY_VIEWER, "411400000000")),
        )
        assert viewer.status_code == 403
        for path in (
            f"/api/v1/households/{created['id']}",
            f"/api/v1/members/{created['members'][0]['id']}",
        ):
            other = await client.get(
                path, headers=tokens.headers(Role.VILLAGE_OFFICER, OTHER_VILLAGE)
            )
            assert other.status_code == 404, path
            mine = await client.get(path, headers=tokens.headers(Role.COUNTY_APPROVER, COUNTY))
            assert mine.status_code == 200, path
        for method, path, body in (
            ("PATCH", f"/api/v1/households/{created['id']}", {"address": "x"}),
            ("POST", f"/api/v1/households/{created['id']}/members", member("son")),
            ("PATCH", f"/api/v1/members/{created['members'][1]['id']}", {"name": "x"}),
            (
                "POST",
                f"/api/v1/members/{created['members'][1]['id']}/leave",
                {"left_on": "2026-01-01", "reason": "deceased"},
            ),
        ):
            headers = {
                **posting(tokens.headers(Role.VILLAGE_OFFICER, OTHER_VILLAGE)),
                "If-Match": "1",
            }
            answer = await client.request(method, path, json=body, headers=headers)
            assert answer.status_code == 404, (path, answer.text)
    assert VILLAGE.startswith(COUNTY[:6])


async def test_text_the_database_cannot_store_is_422(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    async with client_for("monitoring") as client:
        answer = await client.post(
            "/api/v1/households",
            json=household(address="三组\x0012号"),
            headers=posting(tokens.village_officer()),
        )
    assert answer.status_code == 422
    assert answer.json()["fields"][0]["rule"] == "unsupported_character"
