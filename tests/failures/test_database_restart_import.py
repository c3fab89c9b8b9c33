"""The database restarts in the middle of a household import (台账导入), after some chunks
were written inside the import's transaction: the import answers 503 and leaves nothing
behind (no household, member, change-feed row or figure of its village); sending the same
file again imports every row once, and a third time changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable

import httpx

from services.common.auth.roles import Role
from tests.failures.data import bearer, import_file, rows, scalar
from tests.failures.servers import Apps, Throwaway
from tests.support.identities import TokenFactory

VILLAGE = "411424105212"
HOUSEHOLDS = 600
MEMBERS = 2
IMPORTS = "/api/v1/imports/households"
NDJSON = {"Content-Type": "application/x-ndjson"}
# Members' inserts hold this lock until the import's transaction ends.
MEMBERS_WRITTEN = (
    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
    "WHERE d.datname = current_database() AND l.relation = 'members'::regclass "
    "AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()"
)


async def send(request: Awaitable[httpx.Response]) -> httpx.Response | None:
    """The response, or None when the connection was reset before it could be read."""
    try:
        return await request
    except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
        return None


async def stored(url: str) -> dict[str, int]:
    """What the village holds: households, members, their change-feed rows, figures."""
    counts = await rows(
        url,
        "SELECT (SELECT count(*) FROM households WHERE area_code = %(v)s),"
        " (SELECT count(*) FROM members WHERE area_code = %(v)s),"
        " (SELECT count(*) FROM changes WHERE area_code = %(v)s),"
        " (SELECT coalesce(sum(value), 0) FROM area_figures WHERE area_code = %(v)s"
        " AND metric IN ('households', 'people'))",
        {"v": VILLAGE},
    )
    households, members, changes, figures = counts[0]
    return {"households": households, "members": members, "changes": changes, "figures": figures}


async def test_an_import_cut_by_a_restart_leaves_nothing_and_reruns_cleanly(
    throwaway: Throwaway, processes: Apps, tokens: TokenFactory
) -> None:
    # Small chunks: the file is written chunk by chunk inside the import's transaction.
    monitoring = processes.start("monitoring", FAILURES_IMPORT_CHUNK_BYTES="32768")["monitoring"]
    headers = {**bearer(tokens, Role.COUNTY_ADMIN, VILLAGE[:6] + "000000", "import"), **NDJSON}
    body, _ = import_file(VILLAGE, HOUSEHOLDS, MEMBERS)
    url = throwaway.database_url("monitoring")
    last_piece = body.rindex(b"\n", 0, len(body) - 1) + 1
    restarted = asyncio.Event()

    async def upload() -> AsyncIterator[bytes]:
        for start in range(0, last_piece, 16384):
            yield body[start : min(start + 16384, last_piece)]
        await restarted.wait()  # the last line only after the restart
        yield body[last_piece:]

    async def restart_once_members_are_written() -> None:
        for _ in range(600):
            if await scalar(url, MEMBERS_WRITTEN):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the import never wrote members")
        await asyncio.to_thread(throwaway.cluster.restart)
        restarted.set()

    async with httpx.AsyncClient(base_url=monitoring.url, timeout=120) as client:
        cut, _ = await asyncio.gather(
            send(client.post(IMPORTS, content=upload(), headers=headers)),
            restart_once_members_are_written(),
        )
        # The app answers 503; when it stops reading the upload to answer, the client may
        # see the connection reset instead (the kernel resets a socket closed with unread
        # data), so the log says what the app answered.
        if cut is not None:
            assert cut.status_code == 503, cut.text
            assert cut.headers["content-type"] == "application/problem+json"
            assert cut.json()["code"] == "database_unavailable"
        assert "database unavailable" in monitoring.log_tail(10**7)
        assert "unhandled error" not in monitoring.log_tail(10**7)
        assert await stored(url) == {"households": 0, "members": 0, "changes": 0, "figures": 0}

        monitoring.wait_ready()
        rerun = await client.post(IMPORTS, content=body, headers=headers)
        assert rerun.status_code == 200, rerun.text
        report = rerun.json()
        assert (report["received"], report["rejected_count"]) == (HOUSEHOLDS * MEMBERS, 0)
        assert (report["households_created"], report["members_created"]) == (
            HOUSEHOLDS,
            HOUSEHOLDS * MEMBERS,
        )
        imported = {
            "households": HOUSEHOLDS,
            "members": HOUSEHOLDS * MEMBERS,
            "changes": HOUSEHOLDS * (1 + MEMBERS),
            "figures": HOUSEHOLDS * (1 + MEMBERS),  # households + people
        }
        assert await stored(url) == imported

        again = await client.post(IMPORTS, content=body, headers=headers)
        assert again.status_code == 200, again.text
        assert again.json()["households_created"] == 0
        assert again.json()["unchanged"] == HOUSEHOLDS * MEMBERS
        assert await stored(url) == imported
