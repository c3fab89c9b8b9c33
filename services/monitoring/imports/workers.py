"""Where chunks are parsed: worker processes for large uploads, one thread for small ones.
Either way the event loop only waits, so the app keeps serving other requests.

Processes are what make an import fast (services/common/process_pool.py); each chunk carries
its import's context. Starting workers costs about a second, which a small upload does not
repay, so those are parsed in a thread. docs/benchmarks.md has the
measurements behind the defaults.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Literal

from services.common.errors import DixianError
from services.common.process_pool import forget_pool, process_pool
from services.monitoring.imports.chunks import Chunk, ChunkResult, ParserContext
from services.monitoring.imports.rows import RowParser

Mode = Literal["auto", "process", "thread"]


# A worker process keeps the parsers of the last few imports it served (an import sends its
# context with every chunk; building a parser costs key derivation and empty caches).
_worker_parsers: dict[str, RowParser] = {}
_KEPT_PARSERS = 4


def parse_in_worker(key: str, context: ParserContext, chunk: Chunk) -> ChunkResult:
    """Parse `chunk` in a worker process, with the parser of its import."""
    parser = _worker_parsers.get(key)
    if parser is None:
        if len(_worker_parsers) >= _KEPT_PARSERS:
            _worker_parsers.pop(next(iter(_worker_parsers)))
        parser = _worker_parsers[key] = RowParser(context)
    return parser.parse(chunk)


@dataclass(frozen=True)
class ImportTuning:
    """How an import runs. Set `app.state.import_tuning` to change it (tests use small
    chunks to cut households across chunks; the benchmark compares modes)."""

    mode: Mode = "auto"
    workers: int = max(1, os.cpu_count() or 1)
    chunk_bytes: int = 4 * 1024 * 1024
    # In "auto" mode, uploads at least this large (or of unknown length) use processes.
    process_from_bytes: int = 4 * 1024 * 1024
    longest_record: int = 16 * 1024 * 1024

    def mode_for(self, content_length: int | None) -> Literal["process", "thread"]:
        if self.mode != "auto":
            return self.mode
        if content_length is None or content_length >= self.process_from_bytes:
            return "process"
        return "thread"


class WorkersFailed(DixianError):
    status = 503
    code = "import_workers_failed"


class ChunkWorkers:
    """Parses one import's chunks in the background; `submit` returns a future of the parsed
    chunk."""

    def __init__(self, context: ParserContext, mode: Literal["process", "thread"], workers: int):
        self.context = context
        self.mode = mode
        self.workers = workers if mode == "process" else 1
        self._key = str(uuid.uuid4())
        self._pool = process_pool(self.workers) if mode == "process" else None
        self._thread = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="import")
            if mode == "thread"
            else None
        )
        self._parser = RowParser(context) if mode == "thread" else None

    def submit(self, chunk: Chunk) -> asyncio.Future[ChunkResult]:
        loop = asyncio.get_running_loop()
        if self._thread is not None and self._parser is not None:
            return loop.run_in_executor(self._thread, self._parser.parse, chunk)
        assert self._pool is not None
        return loop.run_in_executor(self._pool, parse_in_worker, self._key, self.context, chunk)

    async def result(self, future: asyncio.Future[ChunkResult]) -> ChunkResult:
        try:
            return await future
        except BrokenProcessPool:
            if self._pool is not None:
                forget_pool(self._pool)
            raise WorkersFailed(
                "An import worker process stopped unexpectedly; nothing was imported. "
                "Send the file again."
            ) from None

    async def close(self) -> None:
        """Stop this import's thread (the process pool stays for the next import)."""
        if self._thread is not None:
            await asyncio.to_thread(self._thread.shutdown, wait=True, cancel_futures=True)
