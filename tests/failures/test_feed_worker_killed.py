"""The monitoring app is killed (SIGKILL) while its worker is half-way through a department
feed batch (行业部门数据). What was committed is whole chunks only (records, events and the
checkpoint together); a new process resumes from the checkpoint, and the batch ends exactly as
a clean run would: every record once, one warning per household, one lead per unregistered
person, figures to match."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from services.common.auth.roles import Role
from tests.failures.data import import_file, inpatient_records, ndjson, new_person_number, rows
from tests.failures.servers import AppProcess, Apps, Throwaway
from tests.support.identities import TokenFactory
from tests.support.processes import wait_until_gone

VILLAGE = "411424105213"
COUNTY = "411424000000"
REGISTERED, UNREGISTERED, RECORDS_EACH = 100, 60, 25
RECORDS = (REGISTERED + UNREGISTERED) * RECORDS_EACH
CHUNK = 40
FEED = {"MONITORING_FEED_CHUNK_RECORDS": str(CHUNK), "MONITORING_FEED_POLL_SECONDS": "0.5"}


async def batch(client: httpx.AsyncClient, headers: dict[str, str], batch_id: str) -> Any:
    answer = await client.get(f"/api/v1/feed-batches/{batch_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def kill_midway(
    app: AppProcess, client: httpx.AsyncClient, headers: dict[str, str], batch_id: str
) -> list[int]:
    """Kill the app once three chunks are done; the processes it had started."""
    for _ in range(6000):
        progress = await batch(client, headers, batch_id)
        assert progress["state"] != "done", "the batch finished before it could be interrupted"
        if progress["chunks_done"] >= 3:
            return app.kill()
        await asyncio.sleep(0.02)
    raise AssertionError(f"the batch did not progress: {progress}")


async def committed(url: str, batch_id: str) -> dict[str, int]:
    """The batch as the database holds it, and what its committed chunks wrote."""
    found = await rows(
        url,
        "SELECT b.chunks_done, b.processed,"
        " (SELECT count(*) FROM feed_records r WHERE r.batch_id = b.id),"
        " (SELECT count(*) FROM feed_chunks c WHERE c.batch_id = b.id),"
        " (SELECT count(*) FROM department_warning_events e"
        "   JOIN feed_records r ON r.id = e.record_id WHERE r.batch_id = b.id),"
        " b.chunks_total"
        " FROM feed_batches b WHERE b.id = %s",
        (uuid.UUID(batch_id),),
    )
    done, processed, records, staged, events, total = found[0]
    return {
        "chunks_done": done,
        "processed": processed,
        "records": records,
        "staged_left": staged,
        "events": events,
        "total": total,
    }


async def test_a_batch_cut_by_sigkill_resumes_without_loss_or_duplicates(
    throwaway: Throwaway, processes: Apps, tokens: TokenFactory
) -> None:
    monitoring = processes.start("monitoring", **FEED)["monitoring"]
    admin = tokens.headers(Role.COUNTY_ADMIN, COUNTY, sub="user:failures-feed-admin")
    department = tokens.headers(Role.DEPARTMENT_FEED, COUNTY, sub="client:failures-medical")
    register, registered = import_file(VILLAGE, REGISTERED, 1)
    unregistered = [new_person_number() for _ in range(UNREGISTERED)]
    records = inpatient_records(registered + unregistered, VILLAGE, RECORDS_EACH)
    url = throwaway.database_url("monitoring")

    async with httpx.AsyncClient(base_url=monitoring.url, timeout=120) as client:
        imported = await client.post(
            "/api/v1/imports/households",
            content=register,
            headers={**admin, "Content-Type": "application/x-ndjson"},
        )
        assert imported.status_code == 200, imported.text
        assert imported.json()["households_created"] == REGISTERED
        pushed = await client.post(
            "/api/v1/feed-batches",
            content=ndjson(records),
            headers={
                **department,
                "Content-Type": "application/x-ndjson",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
        assert pushed.status_code == 202, pushed.text
        batch_id = pushed.json()["id"]
        orphans = await kill_midway(monitoring, client, department, batch_id)

    # The killed app's feed worker process (and multiprocessing's tracker) end on their own.
    assert orphans, "the app had started no worker process"
    assert not wait_until_gone(orphans, seconds=15), "processes of the killed app still run"

    # Only whole chunks were committed: their records, events and checkpoint agree.
    cut = await committed(url, batch_id)
    assert 0 < cut["chunks_done"] < cut["total"] == RECORDS // CHUNK, cut
    assert cut["processed"] == cut["records"] == cut["events"] == cut["chunks_done"] * CHUNK
    assert cut["staged_left"] == cut["total"] - cut["chunks_done"]

    monitoring = processes.restart(monitoring)
    async with httpx.AsyncClient(base_url=monitoring.url, timeout=120) as client:
        for _ in range(1200):
            done = await batch(client, department, batch_id)
            if done["state"] not in ("queued", "processing"):
                break
            await asyncio.sleep(0.1)
    assert done["state"] == "done", done
    assert done["chunks_done"] == done["chunks_total"]
    assert (done["received"], done["processed"], done["valid"]) == (RECORDS, RECORDS, RECORDS)
    assert (done["duplicates"], done["rejected"], done["attempts"]) == (0, 0, 0)
    assert done["matched"] == REGISTERED * RECORDS_EACH
    assert (done["warnings_raised"], done["leads_raised"]) == (REGISTERED, UNREGISTERED)

    final = await committed(url, batch_id)
    assert final["records"] == final["events"] == done["events_attached"] == RECORDS
    assert final["staged_left"] == 0
    raised = await rows(
        url,
        "SELECT kind, count(*), count(DISTINCT coalesce(household_id::text,"
        " encode(person_number_index, 'hex'))) FROM department_warnings"
        " WHERE area_code = %s GROUP BY kind",
        (VILLAGE,),
    )
    assert sorted(raised) == [
        ("lead", UNREGISTERED, UNREGISTERED),
        ("warning", REGISTERED, REGISTERED),
    ]
    events = await rows(
        url,
        "SELECT count(*), count(DISTINCT record_id) FROM department_warning_events e"
        " JOIN department_warnings w ON w.id = e.warning_id WHERE w.area_code = %s",
        (VILLAGE,),
    )
    assert events == [(RECORDS, RECORDS)]
    figures = dict(
        await rows(
            url,
            "SELECT metric, sum(value) FROM area_figures WHERE area_code = %s"
            " AND metric LIKE 'department_%%' GROUP BY metric HAVING sum(value) <> 0",
            (VILLAGE,),
        )
    )
    assert figures == {
        "department_warnings_open": REGISTERED,
        "department_leads_open": UNREGISTERED,
        "department_warnings_raised": REGISTERED,
        "department_leads_raised": UNREGISTERED,
    }
