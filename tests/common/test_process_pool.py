"""The kit's worker processes exit when the app process that started them is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from services.common.process_pool import spawned_pool
from tests.support.processes import running, wait_until_gone

ROOT = Path(__file__).resolve().parents[2]

# A stand-in for an app process: it starts a pool, reports its worker's pid, and waits to be
# killed as a supervisor or the out-of-memory killer would (SIGKILL: no shutdown, no atexit).
APP = """
import os, sys
from services.common.process_pool import spawned_pool

pool = spawned_pool(1)
print(pool.submit(os.getpid).result(timeout=60), flush=True)
sys.stdin.read()
"""


def _start_app() -> tuple[subprocess.Popen[str], int]:
    app = subprocess.Popen(
        [sys.executable, "-c", APP],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert app.stdout is not None
    worker = int(app.stdout.readline())
    assert running(worker)
    return app, worker


def test_a_worker_exits_when_its_app_process_is_killed() -> None:
    app, worker = _start_app()
    try:
        os.kill(app.pid, signal.SIGKILL)
        app.wait(timeout=10)
        assert not wait_until_gone([worker], seconds=15), "the orphaned worker is still running"
    finally:
        if running(worker):
            os.kill(worker, signal.SIGKILL)


def test_a_worker_stays_while_its_app_process_lives() -> None:
    app, worker = _start_app()
    try:
        # Several of the worker's checks of its parent pass without it leaving.
        assert wait_until_gone([worker], seconds=3) == [worker]
    finally:
        app.kill()
        app.wait(timeout=10)
        if wait_until_gone([worker], seconds=15):
            os.kill(worker, signal.SIGKILL)


def test_workers_run_at_the_niceness_asked() -> None:
    pool = spawned_pool(1, niceness=5)
    try:
        # os.nice(0) answers the caller's niceness without changing it.
        assert pool.submit(os.nice, 0).result(timeout=60) == min(os.nice(0) + 5, 19)
    finally:
        pool.shutdown()
    same = spawned_pool(1)
    try:
        assert same.submit(os.nice, 0).result(timeout=60) == os.nice(0)
    finally:
        same.shutdown()
