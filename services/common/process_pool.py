"""The app process's pool of worker processes for CPU-bound row checking (bulk imports and
loads), shared by every upload the process serves.

Processes, not threads, because checking and encoding rows is pure Python and holds the GIL: a
thread keeps the event loop responsive but adds no speed. The pool is spawned, not forked
(forking a process that runs an event loop and a connection pool is unsafe), on first use, and
kept for the life of the app process: starting workers costs about a second.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

_pool: ProcessPoolExecutor | None = None
_pool_workers = 0
_pool_lock = threading.Lock()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """The pool of `workers` processes, started on first use (or anew for another size)."""
    global _pool, _pool_workers
    with _pool_lock:
        if _pool is None or _pool_workers != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=False)
            _pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
            )
            _pool_workers = workers
        return _pool


def forget_pool(broken: ProcessPoolExecutor) -> None:
    """Drop a pool whose worker died (`BrokenProcessPool`): the next upload starts a new one."""
    global _pool
    with _pool_lock:
        if _pool is broken:
            _pool = None
