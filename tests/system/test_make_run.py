"""`make run` end to end with real processes: the runner prepares fresh databases, creates the
development administrator, starts the four apps on their ports, and stops them on Ctrl-C."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from scripts.bootstrap import DATABASES
from services.common.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "dixian_system_"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def drop_databases(server_url: str) -> None:
    url = server_url.replace("postgresql+asyncpg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        for name in DATABASES:
            connection.execute(f'DROP DATABASE IF EXISTS "{PREFIX}{name}" WITH (FORCE)')


@pytest.fixture
def runner(
    settings: CommonSettings,
) -> Iterator[tuple[subprocess.Popen[str], dict[str, int], list[str]]]:
    drop_databases(settings.database_url)
    ports = {name: free_port() for name in ("gateway", "monitoring", "funds", "employment")}
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATABASE_PREFIX": PREFIX,
        **{f"{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    yield process, ports, lines
    if process.poll() is None:
        process.kill()
        process.wait()
    drop_databases(settings.database_url)


def read_until(
    process: subprocess.Popen[str], marker: str, lines: list[str], seconds: float
) -> None:
    found: queue.Queue[bool] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if marker in line:
                found.put(True)
        found.put(False)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if found.get(timeout=0.5):
                return
            raise AssertionError("the runner ended early:\n" + "".join(lines[-40:]))
        except queue.Empty:
            continue
    raise AssertionError("the runner did not get ready in time:\n" + "".join(lines[-40:]))


def test_run_starts_everything_and_stops_cleanly(
    runner: tuple[subprocess.Popen[str], dict[str, int], list[str]],
) -> None:
    process, ports, lines = runner
    read_until(process, "Ctrl-C stops everything.", lines, seconds=240)
    output = "".join(lines)
    assert output.count(" ready ") == 4, output
    password = re.search(r"username: admin\s+password: (\S+)", output)
    assert password, output

    gateway = f"http://127.0.0.1:{ports['gateway']}"
    for port in ports.values():
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
    token = httpx.post(
        f"{gateway}/api/v1/auth/token",
        data={"grant_type": "password", "username": "admin", "password": password.group(1)},
    )
    assert token.status_code == 200, token.text
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}", "X-Request-ID": "system-1"}
    for service in ("monitoring", "funds", "employment"):
        answer = httpx.get(f"{gateway}/api/v1/{service}/changes", headers=bearer)
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-request-id"] == "system-1"
    # The admin's own creation is in the gateway's feed.
    feed = httpx.get(f"{gateway}/api/v1/changes", headers=bearer).json()
    assert [item["entity"] for item in feed["items"]] == ["user"]

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    for port in ports.values():
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
