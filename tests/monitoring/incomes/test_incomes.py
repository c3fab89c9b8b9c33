"""Incomes per year give per-capita net income; monitoring lines are set per province."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.auth.roles import Role
from services.common.tables import audit_log
from tests.support.identities import OTHER_VILLAGE, PROVINCE, TokenFactory
from tests.support.monitoring import create_household

INCOME = {
    "wages": "18000.00",
    "business_net": "3000.5",
    "property_income": "0",
    "transfers": "2400.00",
    "compliant_costs": "1000.00",
}


async def read_audited(app: FastAPI, request_id: str) -> list[tuple[str, str, Any]]:
    """(entity, entity id, details) of the reads audited for one request."""
    query = select(audit_log.c.entity, audit_log.c.entity_id, audit_log.c.details).where(
        audit_log.c.request_id == request_id, audit_log.c.action == "read"
    )
    async with app.state.database.sessionmaker() as session:
        return [tuple(row) for row in (await session.execute(query)).all()]


async def test_income_per_capita_and_versions(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"], members=3)
    officer = tokens.village_officer()
    path = f"/api/v1/households/{household.id}/incomes/2025"
    async with client_for("monitoring") as client:
        created = await client.put(path, json=INCOME, headers=officer)
        assert created.status_code == 201, created.text
        body = created.json()
        # (18000 + 3000.5 + 0 + 2400 - 1000) / 3 = 7466.833... -> 7466.83
        assert body["per_capita_net"] == "7466.83" and body["business_net"] == "3000.50"
        assert body["members_counted"] == 3
        missing = await client.put(path, json=INCOME, headers=officer)
        assert missing.status_code == 428
        replaced = await client.put(
            path, json={**INCOME, "wages": "21000"}, headers={**officer, "If-Match": "1"}
        )
        assert replaced.status_code == 200 and replaced.json()["per_capita_net"] == "8466.83"
        listed = await client.get(f"/api/v1/households/{household.id}/incomes", headers=officer)
        assert [item["year"] for item in listed.json()] == [2025]
        assert await read_audited(apps["monitoring"], listed.headers["X-Request-ID"]) == [
            ("household", str(household.id), {"view": "incomes"})
        ]
        other = await client.put(
            path, json=INCOME, headers=tokens.headers(Role.VILLAGE_OFFICER, OTHER_VILLAGE)
        )
        assert other.status_code == 404
        listed_elsewhere = await client.get(
            f"/api/v1/households/{household.id}/incomes",
            headers=tokens.headers(Role.VILLAGE_OFFICER, OTHER_VILLAGE),
        )
        assert listed_elsewhere.status_code == 404


async def test_bad_amounts_are_named(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    household = await create_household(apps["monitoring"])
    path = f"/api/v1/households/{household.id}/incomes/2025"
    async with client_for("monitoring") as client:
        for value, rule in (
            ("-1", "greater_than_equal"),
            ("1.234", "decimal_max_places"),
            ("abc", "decimal_parsing"),
        ):
            answer = await client.put(
                path, json={**INCOME, "wages": value}, headers=tokens.village_officer()
            )
            assert answer.status_code == 422
            assert answer.json()["fields"][0] == {
                "field": "body.wages",
                "rule": rule,
                "message": answer.json()["fields"][0]["message"],
            }
        wrong_year = await client.put(
            f"/api/v1/households/{household.id}/incomes/1990",
            json=INCOME,
            headers=tokens.village_officer(),
        )
        assert (
            wrong_year.status_code == 422 and wrong_year.json()["fields"][0]["rule"] == "year_range"
        )


async def test_monitoring_lines(
    client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    admin = tokens.headers(Role.ADMINISTRATOR, PROVINCE)
    async with client_for("monitoring") as client:
        created = await client.put(
            f"/api/v1/monitoring-lines/{PROVINCE}/2025", json={"amount": "7500"}, headers=admin
        )
        assert created.status_code == 201 and created.json()["amount"] == "7500.00"
        officer = await client.put(
            f"/api/v1/monitoring-lines/{PROVINCE}/2025",
            json={"amount": "1"},
            headers=tokens.village_officer(),
        )
        assert officer.status_code == 403
        other = await client.put(
            "/api/v1/monitoring-lines/420000000000/2025", json={"amount": "7000"}, headers=admin
        )
        assert other.status_code == 404
        county = await client.put(
            "/api/v1/monitoring-lines/411424000000/2025", json={"amount": "7000"}, headers=admin
        )
        assert county.status_code == 422
        listed = await client.get(
            f"/api/v1/monitoring-lines/{PROVINCE}", headers=tokens.village_officer()
        )
        assert [(line["year"], line["amount"]) for line in listed.json()] == [(2025, "7500.00")]
