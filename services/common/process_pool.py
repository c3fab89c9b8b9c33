"""The app process's pool of worker processes for CPU-bound row checking (bulk imports and
loads), shared by every upload the process serves.

Processes, not threads, because checking and encoding rows is pure Python and holds the GIL: a
thread keeps the event loop responsive but adds no speed. The pool is spawned, not forked
(forking a process that runs an event loop and a connection pool is unsafe), on first use, and
kept for the life of the app process: starting workers costs about a second.

Every pool here is a `spawned_pool`: its workers exit when the app process is gone. A worker
of a plain `ProcessPoolExecutor` holds both ends of its call queue's pipe, so when the app
process is killed (SIGKILL, out of memory) it never sees end-of-file and waits for ever; a
supervisor that restarts the app would pile up such orphans, each holding the data keys.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

# How often a worker checks that the process which started it is still there.
PARENT_CHECK_SECONDS = 1.0

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
            _pool = spawned_pool(workers)
            _pool_workers = workers
        return _pool


def forget_pool(broken: ProcessPoolExecutor) -> None:
    """Drop a pool whose worker died (`BrokenProcessPool`): the next upload starts a new one."""
    global _pool
    with _pool_lock:
        if _pool is broken:
            _pool = None


def spawned_pool(workers: int, niceness: int = 0) -> ProcessPoolExecutor:
    """A pool of `workers` spawned processes that each exit once the process that started
    them has gone, running `niceness` steps below the app's CPU priority (0: the same)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(), niceness),
    )


def _start_worker(parent: int, niceness: int) -> None:
    exit_with_parent(parent)
    if niceness:
        os.nice(niceness)


def exit_with_parent(parent: int) -> None:
    """Run in each worker as it starts: a daemon thread ends the worker when its parent is no
    longer `parent` (the orphan is re-parented to init or a subreaper)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
