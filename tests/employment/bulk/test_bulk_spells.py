"""Bulk loading of employment spells: NDJSON or CSV streamed in, valid rows loaded, every other
row named in the report, years and figures recounted, Idempotency-Key honoured."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from services.common.auth.roles import Role
from services.common.tables import changes
from services.employment.models import EmploymentSpell
from tests.employment.support import county_staff, person, register_labourer, stored_figures
from tests.support.identities import OTHER_COUNTY, TokenFactory

PATH = "/api/v1/bulk/employment-spells"


def ndjson(rows: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows).encode() + b"\n"


async def count(app: FastAPI, table: Any) -> int:
    async with app.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_ndjson_rows_are_loaded_or_reported(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    first = await person(apps["monitoring"])
    second = await person(apps["monitoring"])
    async with client_for("employment") as client:
        one = await register_labourer(client, staff, first)
        await register_labourer(client, staff, second)
        job = {
            "employer": "浙江某电子厂",
            "place_class": "out_of_province",
            "kind": "enterprise",
            "start_date": "2025-02-01",
            "end_date": "2025-07-31",
            "monthly_wage": "4200.00",
        }
        rows = [
            {**job, "labourer_id": one["id"], "ref": "a"},
            {**job, "person_number": second.number, "monthly_wage": 3900},
            {**job, "person_number": second.number, "end_date": "2025-01-01", "ref": "c"},
            {**job, "labourer_id": str(uuid.uuid4()), "ref": "d"},
            {**job, "labourer_id": one["id"], "kind": "public_welfare_post"},
            {**job, "labourer_id": one["id"], "colour": "blue"},
        ]
        body = ndjson(rows) + b"not json\n"
        headers = {**staff, "Idempotency-Key": "spells-1", "Content-Type": "application/x-ndjson"}
        loaded = await client.post(PATH, content=body, headers=headers)
        assert loaded.status_code == 200, loaded.text
        report = loaded.json()
        assert (report["rows"], report["accepted"], report["rejected"]) == (7, 2, 5)
        problems = {p["row"]: (p["field"], p["rule"], p["ref"]) for p in report["problems"]}
        assert problems == {
            3: ("end_date", "dates_in_order", "c"),
            4: ("labourer_id", "labourer_not_found", "d"),
            5: ("kind", "post_contract_not_in_bulk", None),
            6: ("colour", "unknown_field", None),
            7: ("body", "json_invalid", None),
        }
        replayed = await client.post(PATH, content=body, headers=headers)
        assert replayed.json() == report and replayed.headers["Idempotent-Replayed"] == "true"
        reused = await client.post(PATH, content=ndjson(rows[:1]), headers=headers)
        assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    assert await count(apps["employment"], EmploymentSpell) == 2
    figures = await stored_figures(apps["employment"])
    assert figures["employed@2025"] == 2 and figures["employed:out_of_province@2025"] == 2
    async with apps["employment"].state.database.sessionmaker() as session:
        fed = await session.scalar(
            select(func.count()).where(changes.c.entity == "employment_spell")
        )
    assert fed == 2


async def test_csv_and_whole_file_problems(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    staff = county_staff(tokens)
    who = await person(apps["monitoring"])
    csv_headers = {**staff, "Content-Type": "text/csv"}
    async with client_for("employment") as client:
        labourer = await register_labourer(client, staff, who)
        text = (
            "\ufefflabourer_id,employer,place_class,kind,start_date,end_date,monthly_wage\n"
            f'{labourer["id"]},"某公司,县城分厂",in_county,enterprise,2025-01-01,2025-12-31,2800\n'
            f"{labourer['id']},自营,in_county,self_employed,2025-13-01,,1000\n"
        )
        loaded = await client.post(
            PATH,
            content=text.encode(),
            headers={**csv_headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert loaded.status_code == 200, loaded.text
        report = loaded.json()
        assert (report["accepted"], report["rejected"]) == (1, 1)
        assert report["problems"][0]["rule"] == "date_format"

        unknown = await client.post(
            PATH,
            content=b"labourer_id,employer,place,kind\n",
            headers={**csv_headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert unknown.status_code == 422
        assert unknown.json()["fields"][0]["rule"] == "columns_unknown"
        wrong_type = await client.post(
            PATH,
            content=b"<xml/>",
            headers={**staff, "Content-Type": "application/xml", "Idempotency-Key": "x1"},
        )
        assert wrong_type.status_code == 415
        no_key = await client.post(PATH, content=b"", headers=csv_headers)
        assert no_key.status_code == 422
        village = await client.post(
            PATH,
            content=text.encode(),
            headers={
                **tokens.village_officer(),
                "Content-Type": "text/csv",
                "Idempotency-Key": "v",
            },
        )
        assert village.status_code == 403
        elsewhere = await client.post(
            PATH,
            content=text.encode(),
            headers={
                **tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY),
                "Content-Type": "text/csv",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
        assert elsewhere.json()["problems"][0]["rule"] == "labourer_not_found"
    assert await count(apps["employment"], EmploymentSpell) == 1
