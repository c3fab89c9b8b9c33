"""When the monitoring service cannot answer, an application waits (202, `pending_eligibility`,
with the reason) and is never accepted unchecked; a re-check completes it once monitoring is
back. The caller's token and the request id travel to monitoring."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from fastapi import FastAPI
from httpx import AsyncClient

from services.common.auth.roles import Role
from tests.employment.loans.support import apply, monitoring_down
from tests.employment.support import county_staff, person, posting, stored_figures
from tests.support.identities import OTHER_COUNTY, TokenFactory


async def test_unreachable_monitoring_leaves_the_application_waiting(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    employment = apps["employment"]
    staff = county_staff(tokens)
    who = await person(apps["monitoring"])
    in_process = employment.state.monitoring
    employment.state.monitoring = monitoring_down()
    async with client_for("employment") as client:
        waiting = await apply(client, staff, who)
        assert waiting.status_code == 202, waiting.text
        loan = waiting.json()
        assert loan["status"] == "pending_eligibility" and loan["household_id"] is None
        assert "unreachable" in loan["pending_reason"] and waiting.headers["Retry-After"]
        assert loan["balance"] == "0.00"
        assert await stored_figures(employment, "411424000000") == {}
        path = f"/api/v1/loans/{loan['id']}/eligibility-check"
        still = await client.post(path, headers=posting(staff))
        assert still.status_code == 202 and still.json()["check_attempts"] == 2
        duplicate = await apply(client, staff, who)
        assert duplicate.status_code == 409
        assert duplicate.json()["code"] == "loan_application_pending"

        employment.state.monitoring = in_process
        elsewhere = tokens.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
        assert (await client.post(path, headers=posting(elsewhere))).status_code == 404
        checked = await client.post(path, headers=posting(staff))
        assert checked.status_code == 200, checked.text
        body = checked.json()
        assert body["status"] == "outstanding" and body["household_id"] == str(who.household_id)
        assert body["pending_reason"] is None and body["area_code"] != "411424000000"
        again = await client.post(path, headers=posting(staff))
        assert again.status_code == 409 and again.json()["code"] == "loan_not_pending"
    figures = await stored_figures(employment)
    assert figures["households_loan_outstanding@0"] == 1


async def test_a_slow_monitoring_service_times_out_into_waiting(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    employment = apps["employment"]
    employment.state.settings = employment.state.settings.model_copy(
        update={"monitoring_timeout": 0.2}
    )

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200)

    employment.state.monitoring = httpx.AsyncClient(
        transport=httpx.MockTransport(slow), base_url="http://monitoring"
    )
    who = await person(apps["monitoring"])
    async with client_for("employment") as client:
        waiting = await apply(client, county_staff(tokens), who)
        assert waiting.status_code == 202
        assert "no answer within 0.2 seconds" in waiting.json()["pending_reason"]


async def test_a_failing_monitoring_service_refuses_nothing_outright(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    employment = apps["employment"]
    employment.state.monitoring = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(503)),
        base_url="http://monitoring",
    )
    ordinary = await person(apps["monitoring"], kind="ordinary")
    async with client_for("employment") as client:
        waiting = await apply(client, county_staff(tokens), ordinary)
        assert waiting.status_code == 202 and "answered 503" in waiting.json()["pending_reason"]
        registering = await client.post(
            "/api/v1/labourers",
            json={"person_number": ordinary.number, "name": "李劳动"},
            headers=posting(county_staff(tokens)),
        )
        assert registering.status_code == 503
        assert registering.json()["code"] == "monitoring_unavailable"
        assert registering.headers["Retry-After"]


async def test_batch_recheck_accepts_and_refuses(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    employment = apps["employment"]
    # In tests the monitoring app runs on one connection, which takes one request at a time.
    employment.state.settings = employment.state.settings.model_copy(
        update={"eligibility_check_concurrency": 1}
    )
    staff = county_staff(tokens)
    eligible = await person(apps["monitoring"])
    ordinary = await person(apps["monitoring"], kind="ordinary")
    in_process = employment.state.monitoring
    employment.state.monitoring = monitoring_down()
    async with client_for("employment") as client:
        for who in (eligible, ordinary):
            assert (await apply(client, staff, who)).status_code == 202
        employment.state.monitoring = in_process
        result = await client.post(
            "/api/v1/loans/eligibility-checks", json={"limit": 10}, headers=posting(staff)
        )
        assert result.status_code == 200, result.text
        body = result.json()
        assert (body["checked"], body["accepted"], body["refused"]) == (2, 1, 1)
        refused = next(o for o in body["outcomes"] if o["status"] == "refused")
        assert refused["rule"] == "borrower_not_eligible"
        loan = await client.get(f"/api/v1/loans/{refused['loan_id']}", headers=staff)
        assert loan.json()["refusal"]["rule"] == "borrower_not_eligible"


async def test_the_callers_token_and_request_id_reach_monitoring(
    client_for: Callable[[str], AsyncClient], apps: dict[str, FastAPI], tokens: TokenFactory
) -> None:
    employment = apps["employment"]
    seen: list[httpx.Request] = []
    forward = httpx.ASGITransport(app=apps["monitoring"])

    async def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return await forward.handle_async_request(request)

    employment.state.monitoring = httpx.AsyncClient(
        transport=httpx.MockTransport(recording), base_url="http://monitoring"
    )
    staff = county_staff(tokens)
    who = await person(apps["monitoring"])
    async with client_for("employment") as client:
        answer = await client.post(
            "/api/v1/loans",
            json={
                "person_number": who.number,
                "borrower_name": "李劳动",
                "bank": "柘城农商银行",
                "amount": "5000",
                "term_months": 12,
                "annual_rate": "3.45",
                "interest_subsidy_rate": "0",
                "issue_date": "2026-03-01",
            },
            headers={**posting(staff), "X-Request-ID": "loan-trace-1"},
        )
        assert answer.status_code == 201, answer.text
    (request,) = seen
    assert request.headers["authorization"] == staff["Authorization"]
    assert request.headers["x-request-id"] == "loan-trace-1"
    assert who.number not in str(request.url)
