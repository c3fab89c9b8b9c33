"""The employed-in-year rule: spells covering at least 3 months (90 days) of the year, a day
counted once, an open job counted to the year's end; figures move with every write."""

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
    problem_rule,
    register_labourer,
    stored_figures,
)
from tests.support.identities import OTHER_COUNTY, TokenFactory


async def year_of(client: AsyncClient, headers: dict[str, str], labourer: str, year: int) -> Any:
    answer = await client.get(f"/api/v1/labourers/{labourer}/years/{year}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_months_of_work_make_a_labourer_employed(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    async with client_for("employment") as client:
        labourer = (await register_labourer(client, staff, await person(apps["monitoring"])))["id"]
        # 1 March to 29 May 2025: 90 days, but the first 31 days are also covered below.
        short = await add_spell(
            client, staff, labourer, start_date="2025-03-01", end_date="2025-03-31"
        )
        assert short.status_code == 201, short.text
        work = await year_of(client, staff, labourer, 2025)
        assert work["worked_days"] == 31 and not work["employed"]
        overlapping = await add_spell(
            client,
            staff,
            labourer,
            place_class="out_of_province",
            employer="浙江某电子厂",
            start_date="2025-03-15",
            end_date="2025-05-29",
        )
        assert overlapping.status_code == 201
        work = await year_of(client, staff, labourer, 2025)
        # The days overlap: 1 March to 29 May is 90 days, counted once.
        assert work["worked_days"] == 90 and work["employed"]
        assert work["days_out_of_province"] == 76 and work["place_class"] == "out_of_province"
        figures = await stored_figures(apps["employment"])
        assert figures["employed@2025"] == 1 and figures["employed:out_of_province@2025"] == 1

        shortened = await client.patch(
            f"/api/v1/spells/{overlapping.json()['id']}",
            json={"end_date": "2025-05-28"},
            headers={**staff, "If-Match": "1"},
        )
        assert shortened.status_code == 200, shortened.text
        assert not (await year_of(client, staff, labourer, 2025))["employed"]
        figures = await stored_figures(apps["employment"])
        assert "employed@2025" not in figures


async def test_an_open_job_counts_to_the_end_of_every_year(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    async with client_for("employment") as client:
        labourer = (await register_labourer(client, staff, await person(apps["monitoring"])))["id"]
        late = await add_spell(client, staff, labourer, start_date="2024-11-01")
        assert late.status_code == 201
        assert (await year_of(client, staff, labourer, 2024))["worked_days"] == 61
        assert not (await year_of(client, staff, labourer, 2024))["employed"]
        later = await year_of(client, staff, labourer, 2026)
        assert later["worked_days"] == 365 and later["place_class"] == "in_county"
        # 2026 has no stored row yet: the figures count the carried job at read time.
        answer = await client.get(
            "/api/v1/internal/figures",
            params={"area": "411424000000", "level": "village", "year": 2026},
            headers=tokens.headers(
                Role.ADMINISTRATOR, "000000000000", scopes=["internal"], sub="client:gateway"
            ),
        )
        (row,) = answer.json()["rows"]
        assert row["figures"]["employed"] == 1 and row["figures"]["employed:in_county"] == 1
        ended = await client.patch(
            f"/api/v1/spells/{late.json()['id']}",
            json={"end_date": "2026-01-31"},
            headers={**staff, "If-Match": "1"},
        )
        assert ended.status_code == 200
        figures = await stored_figures(apps["employment"])
        assert "employed@2026" not in figures and figures["employed@2025"] == 1


async def test_spells_are_checked_and_scoped(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    elsewhere = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
    async with client_for("employment") as client:
        labourer = (await register_labourer(client, staff, await person(apps["monitoring"])))["id"]
        backwards = await add_spell(
            client, staff, labourer, start_date="2025-05-01", end_date="2025-04-01"
        )
        assert backwards.status_code == 422 and problem_rule(backwards) == "dates_in_order"
        unnamed_post = await add_spell(client, staff, labourer, kind="public_welfare_post")
        assert problem_rule(unnamed_post) == "post_kind_mismatch"
        assert (await add_spell(client, elsewhere, labourer)).status_code == 404
        spell = (await add_spell(client, staff, labourer)).json()
        for path in (
            f"/api/v1/spells/{spell['id']}",
            f"/api/v1/labourers/{labourer}/spells",
            f"/api/v1/labourers/{labourer}/years/2025",
        ):
            assert (await client.get(path, headers=staff)).status_code == 200
            assert (await client.get(path, headers=elsewhere)).status_code == 404
        foreign = await client.patch(
            f"/api/v1/spells/{spell['id']}",
            json={"end_date": "2025-06-30"},
            headers={**elsewhere, "If-Match": "1"},
        )
        assert foreign.status_code == 404
