"""A streamed body reads from its own REPEATABLE READ, READ ONLY snapshot and gives its
connection back however the response ends, the client going away midway included."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import anyio.lowlevel
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import ClientDisconnect
from starlette.types import Message

from services.common.database import Database
from services.common.streaming import ClosingStreamingResponse, read_snapshot


def endless_export(database: Database) -> AsyncIterator[bytes]:
    async def body() -> AsyncIterator[bytes]:
        async with read_snapshot(database) as connection:
            level = await connection.scalar(text("SHOW transaction_isolation"))
            read_only = await connection.scalar(text("SHOW transaction_read_only"))
            yield f"{level},{read_only}\n".encode()
            while True:
                yield b"x" * 1024

    return body()


@pytest.mark.parametrize("spec_version", ["2.4", "2.3"])
async def test_the_connection_is_returned_when_the_client_goes_away(
    engines: dict[str, AsyncEngine], spec_version: str
) -> None:
    engine = engines["funds"]
    before = engine.pool.checkedout()  # type: ignore[attr-defined]
    response = ClosingStreamingResponse(endless_export(Database(engine)))
    sent: list[Message] = []
    gone = anyio.Event()

    async def send(message: Message) -> None:
        await anyio.lowlevel.checkpoint()
        if len(sent) == 3:
            gone.set()
            if spec_version == "2.4":  # the server reports a dead socket by failing the send
                raise OSError("connection reset")
        sent.append(message)

    async def receive() -> Message:  # older servers report the disconnect as a message
        await gone.wait()
        return {"type": "http.disconnect"}

    scope = {"type": "http", "asgi": {"spec_version": spec_version}, "method": "GET"}
    if spec_version == "2.4":
        with pytest.raises(ClientDisconnect):
            await response(scope, receive, send)
    else:
        await response(scope, receive, send)

    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"repeatable read,on\n"
    assert engine.pool.checkedout() == before  # type: ignore[attr-defined]
