"""Public-welfare posts: pay at most the local minimum wage, contracts of at most a year, no
more holders than positions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.employment.support import (
    add_spell,
    county_staff,
    person,
    posting,
    problem_rule,
    register_labourer,
    stored_figures,
)
from tests.support.identities import COUNTY, OTHER_COUNTY, OTHER_VILLAGE, VILLAGE, TokenFactory

POST = {
    "area_code": VILLAGE,
    "name": "保洁员",
    "duty": "村庄道路保洁",
    "managing_unit": "慈圣镇人民政府",
    "monthly_pay": "800.00",
    "positions": 1,
}


def contract(post_id: str, start: str, end: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "public_welfare_post",
        "post_id": post_id,
        "employer": "慈圣镇人民政府",
        "start_date": start,
        "end_date": end,
        "monthly_wage": "800.00",
        **extra,
    }


async def test_post_pay_is_capped_by_the_local_minimum_wage(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    async with client_for("employment") as client:
        too_much = await client.post(
            "/api/v1/public-welfare-posts",
            json={**POST, "monthly_pay": "2000.01"},
            headers=posting(staff),
        )
        assert too_much.status_code == 422
        assert problem_rule(too_much) == "post_pay_above_minimum_wage"
        apps["employment"].state.settings = apps["employment"].state.settings.model_copy(
            update={"minimum_wages": f'{{"{COUNTY}": "1800.00"}}'}
        )
        local_cap = await client.post(
            "/api/v1/public-welfare-posts",
            json={**POST, "monthly_pay": "1900.00"},
            headers=posting(staff),
        )
        assert problem_rule(local_cap) == "post_pay_above_minimum_wage"
        created = await client.post(
            "/api/v1/public-welfare-posts", json=POST, headers=posting(staff)
        )
        assert created.status_code == 201, created.text
        assert created.json()["minimum_wage"] == "1800.00" and created.json()["holders"] == 0
        outside = await client.post(
            "/api/v1/public-welfare-posts",
            json={**POST, "area_code": OTHER_VILLAGE},
            headers=posting(staff),
        )
        assert outside.status_code == 422 and problem_rule(outside) == "area_out_of_scope"
        raise_pay = await client.patch(
            f"/api/v1/public-welfare-posts/{created.json()['id']}",
            json={"monthly_pay": "1850.00"},
            headers={**staff, "If-Match": "1"},
        )
        assert problem_rule(raise_pay) == "post_pay_above_minimum_wage"
    figures = await stored_figures(apps["employment"])
    assert figures["public_welfare_posts@0"] == 1
    assert figures["public_welfare_post_positions@0"] == 1


async def test_post_contracts_last_at_most_a_year_and_fill_positions(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    elsewhere = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
    async with client_for("employment") as client:
        post = (
            await client.post("/api/v1/public-welfare-posts", json=POST, headers=posting(staff))
        ).json()
        first = (await register_labourer(client, staff, await person(apps["monitoring"])))["id"]
        second = (await register_labourer(client, staff, await person(apps["monitoring"])))["id"]

        open_ended = await add_spell(
            client, staff, first, **contract(post["id"], "2026-01-01", None)
        )
        assert problem_rule(open_ended) == "post_contract_end_required"
        too_long = await add_spell(
            client, staff, first, **contract(post["id"], "2026-01-01", "2027-01-01")
        )
        assert too_long.status_code == 422 and problem_rule(too_long) == "post_contract_too_long"
        overpaid = await add_spell(
            client,
            staff,
            first,
            **contract(post["id"], "2026-01-01", "2026-12-31", monthly_wage="2500.00"),
        )
        assert problem_rule(overpaid) == "post_pay_above_minimum_wage"
        away = await add_spell(
            client,
            staff,
            first,
            **contract(post["id"], "2026-01-01", "2026-12-31", place_class="in_province"),
        )
        assert problem_rule(away) == "local_place_required"

        year = await add_spell(
            client, staff, first, **contract(post["id"], "2026-01-01", "2026-12-31")
        )
        assert year.status_code == 201, year.text
        full = await add_spell(
            client, staff, second, **contract(post["id"], "2026-06-01", "2026-08-31")
        )
        assert full.status_code == 409 and full.json()["code"] == "post_full"
        after = await add_spell(
            client, staff, second, **contract(post["id"], "2027-01-01", "2027-06-30")
        )
        assert after.status_code == 201

        read = await client.get(f"/api/v1/public-welfare-posts/{post['id']}", headers=staff)
        assert read.json()["holders"] == 1
        assert (
            await client.get(f"/api/v1/public-welfare-posts/{post['id']}", headers=elsewhere)
        ).status_code == 404
        foreign_patch = await client.patch(
            f"/api/v1/public-welfare-posts/{post['id']}",
            json={"positions": 2},
            headers={**elsewhere, "If-Match": "1"},
        )
        assert foreign_patch.status_code == 404
        foreign_post = await add_spell(
            client,
            elsewhere,
            second,
            **contract(post["id"], "2028-01-01", "2028-06-30"),
        )
        assert foreign_post.status_code == 404
