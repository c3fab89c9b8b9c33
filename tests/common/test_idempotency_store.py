"""The last guard of `Idempotency-Key`: the claim's lookup may miss a first request that
committed just before the claim's lock was taken (the lookup's snapshot is older than the
lock), so storing a key that is already stored answers 409 `idempotency_request_in_progress`
instead of a second stored answer; the unit of work then rolls the whole request back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import select

from services.common.errors import Conflict
from services.common.idempotency import Claim
from services.common.tables import idempotency_keys


async def test_storing_a_key_already_stored_answers_in_progress(
    apps: dict[str, FastAPI],
) -> None:
    app = apps["funds"]
    claim = Claim(
        principal="user:test-race",
        key="race-1",
        path="/api/v1/payments",
        request_hash=b"\x01" * 32,
        ttl=timedelta(hours=1),
    )
    first = JSONResponse({"answer": "first"}, status_code=201)
    second = JSONResponse({"answer": "second"}, status_code=201)
    async with app.state.database.sessionmaker() as session:
        await claim.store(session, app.state.keyring, first)
        with pytest.raises(Conflict) as refused:
            await claim.store(session, app.state.keyring, second)
        assert refused.value.code == "idempotency_request_in_progress"
        assert refused.value.status == 409
        stored = (
            await session.execute(
                select(idempotency_keys).where(idempotency_keys.c.key == "race-1")
            )
        ).all()
    assert len(stored) == 1
    body = app.state.keyring.decrypt(stored[0].response_body, claim._associated_data())
    assert body == first.body.decode()
