"""The embedded server's page cache follows the machine (scripts/embedded_db.py)."""

from __future__ import annotations

import asyncpg

from scripts.embedded_db import shared_buffers_mb
from tests.failures.servers import Throwaway

GIB = 2**30


def test_a_quarter_of_memory_between_the_default_and_two_gigabytes() -> None:
    assert shared_buffers_mb(256 * 2**20) == 128  # a small machine keeps the default
    assert shared_buffers_mb(4 * GIB) == 1024
    assert shared_buffers_mb(24 * GIB) == 2048
    assert shared_buffers_mb(256 * GIB) == 2048


async def test_a_started_server_runs_with_it(throwaway: Throwaway) -> None:
    connection = await asyncpg.connect(throwaway.cluster.url())
    try:
        pages = await connection.fetchval(
            "SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers'"
        )
        block = await connection.fetchval("SHOW block_size")
    finally:
        await connection.close()
    assert pages * int(block) == throwaway.cluster.shared_buffers_mb * 2**20
    assert throwaway.cluster.shared_buffers_mb == shared_buffers_mb()
