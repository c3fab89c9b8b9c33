"""What a pushed batch leaves behind besides its records: exactly one change-feed and one audit
row per write, with the versions the outcomes answer, one `sync_operations` row per applied
operation, and nothing for an operation that was rejected. (The audit log is append-only and
keeps other tests' rows: only the rows after the push count.)"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.common.tables import audit_log, changes
from services.monitoring.models import SyncOperation
from tests.monitoring.sync.support import new_household, op, push, visit
from tests.support.identities import TokenFactory

Client = Callable[[str], httpx.AsyncClient]


async def test_a_batch_feeds_and_audits_each_write_once(
    apps: dict[str, FastAPI], client_for: Client, tokens: TokenFactory
) -> None:
    created = new_household()
    ref = created["operation_id"]
    renamed = op(
        "update_household",
        household_ref=ref,
        base_version=1,
        changes={"address": {"base": "一组3号", "value": "二组8号"}},
    )
    member = new_household()["household"]["members"][1]
    added = op("add_member", household_ref=ref, member=member)
    visited = visit("x")
    del visited["household_id"]
    visited["household_ref"] = ref
    revisit = visit("x")
    del revisit["household_id"]
    revisit["household_ref"] = ref
    revisit["visit"]["kind"] = "revisit"  # not eliminated: rejected, writes nothing
    batch = [created, renamed, added, visited, revisit]
    async with apps["monitoring"].state.database.sessionmaker() as session:
        audited_before = await session.scalar(select(func.coalesce(func.max(audit_log.c.id), 0)))
    async with client_for("monitoring") as client:
        outcomes = await push(client, tokens.village_officer(), batch)
        again = await push(client, tokens.village_officer(), batch)

    assert [o["status"] for o in outcomes] == ["applied"] * 4 + ["rejected"]
    assert [o["status"] for o in again] == ["already_applied"] * 4 + ["rejected"]
    household_id = outcomes[0]["record_id"]
    assert [o["version"] for o in outcomes[:2]] == [1, 2]
    async with apps["monitoring"].state.database.sessionmaker() as session:
        feed = (
            await session.execute(
                select(changes.c.entity, changes.c.operation, changes.c.version).order_by(
                    changes.c.seq
                )
            )
        ).all()
        audited = (
            await session.execute(
                select(audit_log.c.entity, audit_log.c.action, audit_log.c.entity_id)
                .where(audit_log.c.id > audited_before, audit_log.c.action != "read")
                .order_by(audit_log.c.id)
            )
        ).all()
        stored = await session.scalars(select(SyncOperation.operation_id))
        assert {str(operation_id) for operation_id in stored} == {
            item["operation_id"] for item in batch[:4]
        }
    assert [tuple(row) for row in feed] == [
        ("household", "create", 1),
        ("member", "create", 1),
        ("member", "create", 1),
        ("household", "update", 2),  # the address
        ("household", "update", 3),  # the member count
        ("member", "create", 1),
        ("visit", "create", 1),
    ]
    assert [(entity, action) for entity, action, _ in audited] == [
        ("household", "create"),
        ("member", "create"),
        ("member", "create"),
        ("household", "update"),
        ("household", "update"),
        ("member", "create"),
        ("visit", "create"),
    ]
    assert [entity_id for entity, _, entity_id in audited if entity == "household"] == [
        household_id
    ] * 3
