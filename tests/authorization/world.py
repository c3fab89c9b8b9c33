"""One record of every kind, all in the test county (柘城县), made through the public API where
the suite's helpers do so, with known personal data (ID numbers, phones, a diagnosis) to scan
for. Path parameters of the matrix are filled from it by name."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from services.common.auth.roles import Role
from services.common.business_time import business_today
from services.monitoring.models import Household
from tests.employment.support import add_spell, register_labourer
from tests.employment.support import person as registered_person
from tests.funds.rules.support import rules_body
from tests.funds.support import Staff as FundsStaff
from tests.funds.support import advance, created, funded_link, pay
from tests.monitoring.feeds.support import (
    ensure_default_rules,
    feed_client,
    numbers,
    push_and_process,
    record,
)
from tests.support.factories import create_area, create_client, create_user
from tests.support.identities import COUNTY, PROVINCE, TOWNSHIP, VILLAGE, TokenFactory
from tests.support.monitoring import create_household

YEAR = 2025
HOUSEHOLD_PHONE = "13907551234"
HELPER_PHONE = "13603712468"
DIAGNOSIS = "急性淋巴细胞白血病"
LEAD_DIAGNOSIS = "重度再生障碍性贫血"


@dataclass
class World:
    """Ids of the records by path-parameter name, the secrets they hold, and every response
    the set-up received (scanned for personal data too)."""

    ids: dict[str, str] = field(default_factory=dict)
    # The area of each record where it is not VILLAGE (a record above a village is out of
    # scope for a village officer or township reviewer of that village).
    areas: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    person_numbers: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=lambda: [HOUSEHOLD_PHONE, HELPER_PHONE])
    diagnoses: list[str] = field(default_factory=lambda: [DIAGNOSIS, LEAD_DIAGNOSIS])
    responses: list[httpx.Response] = field(default_factory=list)

    @property
    def secrets(self) -> list[str]:
        return [*self.person_numbers, *self.phones, *self.diagnoses]

    def area_of(self, name: str) -> str:
        return self.areas.get(name, VILLAGE)

    def keep(self, name: str, body: dict[str, Any]) -> str:
        self.ids[name] = str(body["id"])
        if "version" in body:
            self.versions[name] = int(body["version"])
        return self.ids[name]


@asynccontextmanager
async def recording_client(
    apps: dict[str, FastAPI], name: str, world: World
) -> AsyncIterator[httpx.AsyncClient]:
    """A client to one app that keeps every response it receives in `world.responses`."""

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        world.responses.append(response)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=apps[name]),
        base_url=f"http://{name}.test",
        event_hooks={"response": [keep]},
    ) as client:
        yield client


def _posting(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


def _ok(answer: httpx.Response, status: int | tuple[int, ...] = 201) -> dict[str, Any]:
    expected = status if isinstance(status, tuple) else (status,)
    assert answer.status_code in expected, (answer.request.url, answer.text)
    body: dict[str, Any] = answer.json()
    return body


async def build_world(apps: dict[str, FastAPI], tokens: TokenFactory) -> World:
    world = World()
    await _gateway(apps, world)
    await _monitoring(apps, tokens, world)
    await _funds(apps, tokens, world)
    await _employment(apps, tokens, world)
    return world


async def _gateway(apps: dict[str, FastAPI], world: World) -> None:
    await create_area(apps["gateway"], TOWNSHIP, "慈圣镇")
    await create_area(apps["gateway"], VILLAGE, "某村")
    user = await create_user(
        apps["gateway"],
        username=f"matrix-{uuid.uuid4().hex[:8]}",
        password="correct horse battery",
        role=Role.VILLAGE_OFFICER.value,
        area_code=VILLAGE,
    )
    client = await create_client(
        apps["gateway"],
        client_id=f"matrix-{uuid.uuid4().hex[:8]}",
        secret="s3cret-s3cret-s3cret",
        role=Role.DEPARTMENT_FEED.value,
        area_code=COUNTY,
    )
    world.ids |= {"user_id": str(user.id), "client_id": str(client.id)}


async def _monitoring(apps: dict[str, FastAPI], tokens: TokenFactory, world: World) -> None:
    app = apps["monitoring"]
    admin = tokens.county_admin()
    head, spouse, lead_person = numbers(3, birth=date(1975, 4, 9))
    world.person_numbers += [head, spouse, lead_person]
    async with recording_client(apps, "monitoring", world) as client:
        household = _ok(
            await client.post(
                "/api/v1/households",
                json={
                    "area_code": VILLAGE,
                    "kind": "exited_poverty",
                    "phone": HOUSEHOLD_PHONE,
                    "address": "慈圣镇某村三组",
                    "members": [
                        {"name": "王守业", "relationship": "head", "person_number": head},
                        {"name": "刘秀兰", "relationship": "spouse", "person_number": spouse},
                    ],
                },
                headers=_posting(admin),
            )
        )
        world.keep("household_id", household)
        world.keep("member_id", household["members"][0])
        world.ids["index"] = app.state.protector.blind_index.digest(head).hex()
        await _monitored(app, household["id"])
        base = f"/api/v1/households/{household['id']}"
        _ok(
            await client.put(
                f"{base}/help-plan",
                json={"helper_name": "赵帮扶", "helper_phone": HELPER_PHONE},
                headers=_posting(admin),
            ),
            status=201,
        )
        today = business_today().isoformat()
        _ok(
            await client.post(
                f"{base}/measures",
                json={"measure": "industry", "started_on": today, "amount": "3000.00"},
                headers=_posting(admin),
            )
        )
        _ok(
            await client.post(
                f"{base}/visits",
                json={
                    "kind": "visit",
                    "visited_on": today,
                    "findings": "入户走访",
                    "risk_found": False,
                },
                headers=_posting(admin),
            )
        )
        _ok(
            await client.put(
                f"{base}/incomes/{YEAR}",
                json={
                    "wages": "18000.00",
                    "business_net": "0",
                    "property_income": "0",
                    "transfers": "0",
                    "compliant_costs": "0",
                },
                headers=admin,
            )
        )
        candidate = await create_household(app, village=VILLAGE, head_name="孙有田")
        case = _ok(
            await client.post(
                "/api/v1/cases",
                json={
                    "household_id": str(candidate.id),
                    "procedure": "identification",
                    "source": "officer_finding",
                    "proposed_category": "marginal",
                    "proposed_risk_types": ["illness"],
                },
                headers=_posting(admin),
            )
        )
        world.keep("case_id", case)
        await _feeds(client, app, tokens, world, head, lead_person)


async def _monitored(app: FastAPI, household_id: str) -> None:
    """Make the household a monitoring object, as an approved case would."""
    async with app.state.database.sessionmaker() as session:
        await session.execute(
            update(Household)
            .where(Household.id == uuid.UUID(household_id))
            .values(
                monitoring_status="monitored",
                monitoring_category="marginal",
                risk_types=["illness"],
                identified_on=business_today(),
            )
        )
        await session.commit()


async def _feeds(
    client: httpx.AsyncClient,
    app: FastAPI,
    tokens: TokenFactory,
    world: World,
    registered: str,
    unregistered: str,
) -> None:
    """A department batch raising a warning on the household and a lead for the village."""
    await ensure_default_rules(app)
    batch = await push_and_process(
        client,
        app,
        feed_client(tokens),
        [
            record(registered, details={"diagnosis": DIAGNOSIS}),
            record(unregistered, name="钱无名", details={"diagnosis": LEAD_DIAGNOSIS}),
        ],
    )
    world.keep("batch_id", batch)
    admin = tokens.county_admin()
    warnings = _ok(
        await client.get(
            "/api/v1/warnings", params={"household_id": world.ids["household_id"]}, headers=admin
        ),
        status=200,
    )["items"]
    world.keep("warning_id", warnings[0])
    leads = _ok(await client.get("/api/v1/leads", headers=admin), status=200)["items"]
    world.keep("lead_id", leads[0])
    rules = _ok(await client.get("/api/v1/warning-rules", headers=admin), status=200)["items"]
    world.keep("rule_id", rules[0])


async def _funds(apps: dict[str, FastAPI], tokens: TokenFactory, world: World) -> None:
    staff = FundsStaff(tokens)
    async with recording_client(apps, "funds", world) as client:
        allocation, project, link = await funded_link(client, staff)
        payment = created(await pay(client, staff.clerk, link, "1000.00"))
        project = await advance(client, staff, project, "complete")
        _ok(
            await client.put(
                f"/api/v1/fund-rules/{PROVINCE}/{YEAR}",
                json=rules_body(YEAR),
                headers=tokens.administrator(),
            ),
            status=(200, 201),
        )
        asset = _ok(
            await client.post(
                "/api/v1/assets",
                json={
                    "project_id": project["id"],
                    "name": "肉牛养殖圈舍",
                    "kind": "operating",
                    "owner_type": "village_collective",
                    "owner_name": "某村股份经济合作社",
                    "owner_area_code": VILLAGE,
                    "value": "480000.00",
                    "formed_on": f"{YEAR}-10-31",
                },
                headers=_posting(staff.clerk),
            )
        )
    for name, body in (
        ("allocation_id", allocation),
        ("project_id", project),
        ("link_id", link),
        ("payment_id", payment),
        ("asset_id", asset),
    ):
        world.keep(name, body)
    world.areas["allocation_id"] = COUNTY


async def _employment(apps: dict[str, FastAPI], tokens: TokenFactory, world: World) -> None:
    staff = tokens.county_admin()
    worker = await registered_person(apps["monitoring"], age=30)
    world.person_numbers.append(worker.number)
    async with recording_client(apps, "employment", world) as client:
        labourer = await register_labourer(client, staff, worker)
        spell = _ok(
            await add_spell(
                client,
                staff,
                labourer["id"],
                place_class="out_of_province",
                employer="广东某电子厂",
                start_date=f"{YEAR}-03-01",
                end_date=f"{YEAR}-08-31",
            )
        )
        subsidy = _ok(
            await client.post(
                "/api/v1/subsidies/transport",
                json={"labourer_id": labourer["id"], "year": YEAR, "paid_on": f"{YEAR}-09-10"},
                headers=_posting(staff),
            )
        )
        post = _ok(
            await client.post(
                "/api/v1/public-welfare-posts",
                json={
                    "area_code": VILLAGE,
                    "name": "保洁员",
                    "duty": "村庄道路保洁",
                    "managing_unit": "慈圣镇人民政府",
                    "monthly_pay": "800.00",
                    "positions": 1,
                },
                headers=_posting(staff),
            )
        )
        workshop = _ok(
            await client.post(
                "/api/v1/assistance-workshops",
                json={
                    "area_code": VILLAGE,
                    "name": "慈圣镇服装帮扶车间",
                    "operator": "某服饰有限公司",
                },
                headers=_posting(staff),
            )
        )
        loan = _ok(
            await client.post(
                "/api/v1/loans",
                json={
                    "person_number": worker.number,
                    "borrower_name": "李劳动",
                    "bank": "柘城农商银行",
                    "amount": "30000.00",
                    "term_months": 36,
                    "annual_rate": "3.45",
                    "interest_subsidy_rate": "3.45",
                    "issue_date": business_today().isoformat(),
                },
                headers=_posting(staff),
            )
        )
    for name, body in (
        ("labourer_id", labourer),
        ("spell_id", spell),
        ("subsidy_id", subsidy),
        ("post_id", post),
        ("workshop_id", workshop),
        ("loan_id", loan),
    ):
        world.keep(name, body)


# Path parameters that are not records: fixed values of the test county.
VALUES = {
    "year": str(YEAR),
    "list_name": "risk_type",
    "province_code": PROVINCE,
    "county_code": COUNTY,
    "code": VILLAGE,
}
# Path parameters whose record depends on the path (a lead is a warning without a household).
BY_PATH = {("warning_id", "/api/v1/leads/"): "lead_id"}


def path_value(world: World, name: str, path: str) -> str:
    """The value of a path parameter, or a failure telling the developer to add it here."""
    for (param, prefix), record_name in BY_PATH.items():
        if name == param and path.startswith(prefix):
            return world.ids[record_name]
    if name in world.ids:
        return world.ids[name]
    if name in VALUES:
        return VALUES[name]
    raise AssertionError(
        f"The path parameter `{name}` of {path} is unknown to the authorization matrix: create "
        "a record for it in tests/authorization/world.py (World.ids) or give it a value in VALUES."
    )
