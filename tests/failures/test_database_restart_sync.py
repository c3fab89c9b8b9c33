"""The database restarts (pg_ctl restart -m fast) while field devices push queued operations
(`POST /sync/push`). A push that meets the outage answers 503 (never 500) and the device
resends the same batch, as its offline queue does; an operation answered `rejected` with
`retryable` is resent too. One device sends long batches, applied in two transactions each
(`sync.push.groups`), so they meet the outage too (a failure exactly between a batch's two
commits: tests/monitoring/sync/test_long_batches.py). Afterwards every queued household exists
exactly once, whole: its members, change-feed and audit rows, its stored operation and the
village's figures."""

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

VILLAGE = "411424105214"
DEVICES = 6
OPERATIONS = 4  # per batch
LONG_BATCH = 70  # device 0's: 64 operations, then 6, each group its own transaction
BATCHES_BEFORE_RESTART = 6
BATCHES_AFTER_RESTART = 2  # per device
MOST_BATCHES = 400
MEMBERS = 2
DONE = {"applied", "already_applied"}


def batch(operations: int) -> list[dict[str, Any]]:
    return [
        {
            "operation_id": str(uuid.uuid4()),
            "kind": "create_household",
            "household": household(VILLAGE, MEMBERS),
        }
        for _ in range(operations)
    ]


async def push_until_applied(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    operations: list[dict[str, Any]],
    statuses: Counter[str],
) -> dict[str, str]:
    """Resend the batch until every operation is applied (or already was); each answer's
    status is counted. The id of each operation's household, by operation id."""
    households: dict[str, str] = {}
    for _ in range(200):
        answer = await client.post(
            "/api/v1/sync/push", json={"operations": operations}, headers=headers
        )
        statuses[str(answer.status_code)] += 1
        if answer.status_code == 200:
            for outcome in answer.json()["outcomes"]:
                statuses[outcome["status"]] += 1
                if outcome["status"] in DONE:
                    households[outcome["operation_id"]] = outcome["record_id"]
                else:
                    assert outcome["problem"]["retryable"], outcome
            if len(households) == len(operations):
                return households
        else:
            assert (answer.status_code, answer.json().get("code")) == (
                503,
                "database_unavailable",
            ), answer.text
        await asyncio.sleep(0.2)
    raise AssertionError(f"batch never applied; statuses {statuses}")


async def test_pushes_survive_a_database_restart_exactly_once(
    throwaway: Throwaway, processes: Apps, tokens: TokenFactory
) -> None:
    monitoring = processes.start("monitoring")["monitoring"]
    statuses: Counter[str] = Counter()
    created: dict[str, str] = {}
    batches = sent = 0
    restarted, under_way = asyncio.Event(), asyncio.Event()

    async def device(number: int, client: httpx.AsyncClient) -> None:
        """Pushes batches one after the other until a few went in after the restart, so pushes
        are under way during the whole outage however fast the machine is."""
        nonlocal batches, sent
        headers = bearer(tokens, Role.VILLAGE_OFFICER, VILLAGE, f"restart-sync-{number}")
        after_restart = 0
        while after_restart < BATCHES_AFTER_RESTART and batches < MOST_BATCHES:
            batches += 1
            operations = batch(LONG_BATCH if number == 0 else OPERATIONS)
            sent += len(operations)
            created.update(await push_until_applied(client, headers, operations, statuses))
            after_restart += restarted.is_set()
            if batches >= BATCHES_BEFORE_RESTART:
                under_way.set()

    async def restart_midway() -> None:
        await under_way.wait()
        await asyncio.to_thread(throwaway.cluster.restart)
        restarted.set()

    async with httpx.AsyncClient(base_url=monitoring.url, timeout=60) as client:
        await asyncio.gather(
            restart_midway(), *(device(number, client) for number in range(DEVICES))
        )
    assert restarted.is_set()
    assert batches < MOST_BATCHES, "the restart never completed"
    assert statuses["503"] > 0, f"no push met the outage: {statuses}"
    assert set(statuses) <= {"200", "503", *DONE, "rejected"}, statuses
    assert "unhandled error" not in monitoring.log_tail(10**7)
    ids = set(created.values())
    assert len(created) == len(ids) == sent

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
        "SELECT entity_id::text, count(*) FROM audit_log WHERE entity = 'household' "
        "AND action = 'create' AND area_code = %s GROUP BY entity_id",
        (VILLAGE,),
    )
    assert dict(audited) == dict.fromkeys(ids, 1)
    assert await scalar(
        url,
        "SELECT count(*) FROM sync_operations WHERE principal LIKE 'user:failures-restart-sync-%%'",
    ) == len(created)
    figures = dict(
        await rows(
            url,
            "SELECT metric, value FROM area_figures WHERE area_code = %s AND year = 0 "
            "AND metric IN ('households', 'people')",
            (VILLAGE,),
        )
    )
    assert figures == {"households": len(ids), "people": len(ids) * MEMBERS}
