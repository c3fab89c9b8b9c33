"""The database restarts (pg_ctl restart -m fast) while field officers register households
concurrently. Requests that meet the outage answer 503 (never 500); the clients retry with
the same Idempotency-Keys; afterwards every intended household exists exactly once, whole:
its members, change-feed and audit rows, its idempotency record and the village's figures."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx

from services.common.auth.roles import Role
from tests.failures.data import bearer, household, rows, scalar
from tests.failures.servers import Apps, Throwaway
from tests.support.identities import TokenFactory

VILLAGE = "411424105211"
WRITERS = 8
WRITES_BEFORE_RESTART = 12
WRITES_AFTER_RESTART = 2  # per writer
MOST_HOUSEHOLDS = 2000
MEMBERS = 3


async def register_until_stored(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: dict[str, Any],
    statuses: Counter[int],
) -> dict[str, Any]:
    """POST with one key until a 201 comes back (first answer or replay), as the field app's
    queue does; every answer's status is counted."""
    key = str(uuid.uuid4())
    for _ in range(200):
        answer = await client.post(
            "/api/v1/households", json=body, headers={**headers, "Idempotency-Key": key}
        )
        statuses[answer.status_code] += 1
        if answer.status_code == 201:
            created: dict[str, Any] = answer.json()
            return created
        code = answer.json().get("code")
        assert (answer.status_code, code) in {
            (503, "database_unavailable"),
            (409, "idempotency_request_in_progress"),
        }, answer.text
        await asyncio.sleep(0.2)
    raise AssertionError(f"household never stored; statuses {statuses}")


async def test_writes_survive_a_database_restart_exactly_once(
    throwaway: Throwaway, processes: Apps, tokens: TokenFactory
) -> None:
    monitoring = processes.start("monitoring")["monitoring"]
    headers = bearer(tokens, Role.VILLAGE_OFFICER, VILLAGE, "restart-writes")
    statuses: Counter[int] = Counter()
    created: list[dict[str, Any]] = []
    restarted, under_way = asyncio.Event(), asyncio.Event()

    async def writer(client: httpx.AsyncClient) -> None:
        """Registers households one after the other until a few went in after the restart,
        so writes are under way during the whole outage however fast the machine is."""
        after_restart = 0
        while after_restart < WRITES_AFTER_RESTART and len(created) < MOST_HOUSEHOLDS:
            body = household(VILLAGE, MEMBERS)
            created.append(await register_until_stored(client, headers, body, statuses))
            after_restart += restarted.is_set()
            if len(created) >= WRITES_BEFORE_RESTART:
                under_way.set()

    async def restart_midway() -> None:
        await under_way.wait()
        await asyncio.to_thread(throwaway.cluster.restart)
        restarted.set()

    async with httpx.AsyncClient(base_url=monitoring.url, timeout=60) as client:
        await asyncio.gather(restart_midway(), *(writer(client) for _ in range(WRITERS)))
        assert restarted.is_set()
        assert statuses[503] > 0, f"no request met the outage: {statuses}"
        assert set(statuses) <= {201, 409, 503}, statuses
        assert "unhandled error" not in monitoring.log_tail(10**7)

        # The app answers again: a read of a stored household and a new write.
        again = await client.get(f"/api/v1/households/{created[0]['id']}", headers=headers)
        assert again.status_code == 200, again.text
        assert len(again.json()["members"]) == MEMBERS
        fresh = await client.post(
            "/api/v1/households",
            json=household(VILLAGE, MEMBERS),
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert fresh.status_code == 201, fresh.text
    ids = {item["id"] for item in created} | {fresh.json()["id"]}
    assert len(created) < MOST_HOUSEHOLDS, "the restart never completed"
    assert len(ids) == len(created) + 1

    url = throwaway.database_url("monitoring")
    stored = await rows(
        url,
        "SELECT h.id::text, h.member_count, count(m.id) FROM households h "
        "LEFT JOIN members m ON m.household_id = h.id WHERE h.area_code = %s "
        "GROUP BY h.id, h.member_count",
        (VILLAGE,),
    )
    assert {row[0] for row in stored} == ids
    assert all(row[1] == row[2] == MEMBERS for row in stored), stored

    changes = Counter(
        entity
        for (entity,) in await rows(
            url,
            "SELECT entity FROM changes WHERE area_code = %s AND operation = 'create'",
            (VILLAGE,),
        )
    )
    assert changes == {"household": len(ids), "member": len(ids) * MEMBERS}
    audited = await rows(
        url,
        "SELECT entity_id, count(*) FROM audit_log WHERE entity = 'household' "
        "AND action = 'create' AND area_code = %s GROUP BY entity_id",
        (VILLAGE,),
    )
    assert dict(audited) == dict.fromkeys(ids, 1)
    principal = "user:failures-restart-writes"
    assert await scalar(
        url, "SELECT count(*) FROM idempotency_keys WHERE principal = %s", (principal,)
    ) == len(ids)
    figures = dict(
        await rows(
            url,
            "SELECT metric, value FROM area_figures WHERE area_code = %s AND year = 0 "
            "AND metric IN ('households', 'people')",
            (VILLAGE,),
        )
    )
    assert figures == {"households": len(ids), "people": len(ids) * MEMBERS}
