"""The raw records of a batch, staged in chunks: COPY'd in by the upload, read back by the
worker one chunk at a time, deleted with the chunk's results.

A chunk's lines are encrypted together (they hold ID numbers as sent), bound to their batch
and chunk number so a chunk cannot be replayed into another place.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.driver import driver_connection
from services.common.personal_data import Keyring
from services.monitoring.models import FeedChunk

COLUMNS = ("batch_id", "chunk_no", "first_line", "line_count", "payload")


@dataclass(frozen=True, slots=True)
class StagedChunk:
    chunk_no: int
    first_line: int
    lines: list[str]


def _associated_data(batch_id: uuid.UUID, chunk_no: int) -> bytes:
    return f"feed_chunk\x00{batch_id}\x00{chunk_no}".encode()


async def stage(
    session: AsyncSession, keyring: Keyring, batch_id: uuid.UUID, chunks: list[StagedChunk]
) -> None:
    """COPY chunks of raw lines into the staging table, encrypted."""
    if not chunks:
        return
    rows = [
        (
            batch_id,
            chunk.chunk_no,
            chunk.first_line,
            len(chunk.lines),
            keyring.encrypt("\n".join(chunk.lines), _associated_data(batch_id, chunk.chunk_no)),
        )
        for chunk in chunks
    ]
    driver = await driver_connection(session)
    await driver.copy_records_to_table("feed_chunks", records=rows, columns=COLUMNS)


@dataclass(frozen=True, slots=True)
class SealedChunk:
    """A staged chunk as read, still encrypted: it is opened where it is checked."""

    chunk_no: int
    first_line: int
    payload: bytes


async def load(session: AsyncSession, batch_id: uuid.UUID, chunk_no: int) -> SealedChunk | None:
    query = select(FeedChunk.first_line, FeedChunk.payload).where(
        FeedChunk.batch_id == batch_id, FeedChunk.chunk_no == chunk_no
    )
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    return SealedChunk(chunk_no, row.first_line, row.payload)


def unseal(keyring: Keyring, batch_id: uuid.UUID, chunk: SealedChunk) -> StagedChunk:
    """The chunk's lines (DecryptionError if the payload is not this batch's chunk)."""
    text = keyring.decrypt(chunk.payload, _associated_data(batch_id, chunk.chunk_no))
    return StagedChunk(chunk.chunk_no, chunk.first_line, text.split("\n"))


async def discard(session: AsyncSession, batch_id: uuid.UUID, chunk_no: int) -> None:
    await session.execute(
        delete(FeedChunk).where(FeedChunk.batch_id == batch_id, FeedChunk.chunk_no == chunk_no)
    )
