"""The demo data generator (演示数据) against the four apps in-process: it builds a small
province through the gateway, the counts it reports are the databases' own, and a second run
with the same seed changes nothing."""

from __future__ import annotations

import datetime
from collections import Counter

import httpx
import psycopg
from fastapi import FastAPI

from gateway.cli import operator
from gateway.users import service as users
from gateway.users.schemas import UserCreate
from scripts.demo.generate import generate
from scripts.demo.options import Sizes, parse
from scripts.demo.people import PersonNumbers, Village, households
from services.common.areas import NATION_CODE
from services.common.auth.roles import Role
from services.common.personal_data.id_numbers import is_valid_person_number
from services.common.settings import CommonSettings
from services.monitoring.feeds.worker import feed_worker
from tests.monitoring.feeds.support import ensure_default_rules

PASSWORD = "demo-admin-password-1"
TINY = [
    "--counties", "1",
    "--townships-per-county", "2",
    "--villages-per-township", "1",
    "--households-per-village", "6",
    "--projects-per-county", "8",
    "--case-share", "0.7",
    "--warning-share", "0.15",
    "--leads-per-county", "2",
    "--labourer-share", "1",
    "--loan-share", "0.6",
    "--no-progress",
]  # fmt: skip


async def create_admin(gateway: FastAPI) -> None:
    data = UserCreate(
        username="demo.admin",
        display_name="演示管理员",
        role=Role.ADMINISTRATOR,
        area_code=NATION_CODE,
        password=PASSWORD,
    )
    async with gateway.state.database.sessionmaker() as session:
        await users.create_user(session, operator(), data)
        await session.commit()


def database_counts(settings: CommonSettings) -> Counter[str]:
    """What the four databases hold of the demo, by the report's names."""
    queries = {
        "gateway": [
            (
                "villages",
                "SELECT 'villages', count(*) FROM areas WHERE level = 'village' AND NOT custom",
            ),
            ("townships", "SELECT 'townships', count(*) FROM areas WHERE level = 'township'"),
            ("users", "SELECT 'users', count(*) FROM users WHERE username LIKE 'demo.%.%'"),
            ("clients", "SELECT 'machine_clients', count(*) FROM machine_clients"),
        ],
        "monitoring": [
            ("h", "SELECT 'households', count(*) FROM households"),
            ("m", "SELECT 'members', count(*) FROM members"),
            ("r", "SELECT 'department_records', count(*) FROM feed_records"),
            ("w", "SELECT kind || 's:' || state, count(*) FROM department_warnings GROUP BY 1"),
            (
                "c",
                "SELECT 'cases:' || CASE WHEN state = 'closed' THEN 'closed_' || outcome "
                "ELSE state END, count(*) FROM cases GROUP BY 1",
            ),
        ],
        "funds": [
            ("a", "SELECT 'allocations', count(*) FROM allocations"),
            ("p", "SELECT 'projects:' || status, count(*) FROM projects GROUP BY 1"),
            ("l", "SELECT 'fund_links', count(*) FROM fund_links"),
            ("y", "SELECT 'payments', count(*) FROM payments"),
        ],
        "employment": [
            ("b", "SELECT 'labourers', count(*) FROM labourers"),
            ("s", "SELECT 'spells', count(*) FROM employment_spells"),
            ("o", "SELECT 'loans:' || status, count(*) FROM loans GROUP BY 1"),
        ],
    }
    counts: Counter[str] = Counter()
    for database, statements in queries.items():
        url = settings.service_database_url(database, driver="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False)) as connection:
            for _, statement in statements:
                for name, count in connection.execute(statement).fetchall():
                    if count:
                        counts[name] += count
    return counts


async def test_generator_counts_are_the_databases_and_a_rerun_changes_nothing(
    committing_apps: dict[str, FastAPI],
    committing_gateway: httpx.AsyncClient,
    settings: CommonSettings,
) -> None:
    await create_admin(committing_apps["gateway"])
    await ensure_default_rules(committing_apps["monitoring"])
    options = parse([*TINY, "--admin-username", "demo.admin", "--admin-password", PASSWORD])
    async with feed_worker(committing_apps["monitoring"]):
        report = await generate(options, committing_gateway)
        held = database_counts(settings)
        again = await generate(options, committing_gateway)
    reported = Counter({name: count for name, count in report.items() if name != "counties"})
    assert reported == held
    assert again == report
    assert database_counts(settings) == held
    # The workflows reached their states through the roles' steps.
    assert report["households"] == 12 and report["members"] > 12
    assert {"cases:home_verification", "cases:township_review", "cases:closed_approved"} <= set(
        report
    ), sorted(report)
    assert {"projects:accepted", "projects:cancelled", "projects:rejected"} <= set(report)
    assert report["payments"] == 3 and report["fund_links"] == 4
    assert report["labourers"] > 0 and report["spells"] > 0
    assert report["loans:outstanding"] > 0
    assert report["warnings:converted"] > 0 and report["cases:home_verification"] > 0
    assert sum(count for name, count in report.items() if name.startswith("leads:")) == 2


def test_people_are_deterministic_for_a_seed_and_carry_valid_id_numbers() -> None:
    village = Village("411421101201", "桃园村")
    today = datetime.date(2026, 6, 1)
    sizes = Sizes(households_per_village=20)

    def people(seed: int) -> list[tuple[str, str, str]]:
        made = households(seed, village, sizes, PersonNumbers(), today)
        return [(m.person_number, m.name, h.kind) for h in made for m in h.members]

    first = people(7)
    assert first == people(7)
    assert first != people(8)
    assert len({number for number, _, _ in first}) == len(first)
    assert all(is_valid_person_number(number) for number, _, _ in first)
    assert all(2 <= len(name) <= 4 for _, name, _ in first)
