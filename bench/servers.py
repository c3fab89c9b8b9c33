"""Apps as real uvicorn processes on loopback ports, for the loopback benchmarks: start one
(with N workers), wait until it is ready, read the CPU of its process tree, stop it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.funds_loopback import LoopbackClient

_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    name: str, port: int, env: dict[str, str], *, workers: int = 1
) -> subprocess.Popen[bytes]:
    """`gateway` or a service (`monitoring`, `funds`, `employment`) under uvicorn."""
    module = "gateway.app:app" if name == "gateway" else f"services.{name}.app:app"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        module,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, env=env)


async def wait_ready(port: int, *, seconds: float = 60) -> None:
    """Until `GET /readyz` answers 200 (database reachable, migrations at head)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            async with LoopbackClient(port, connections=1) as probe:
                status, _ = await probe.request("GET", "/readyz", {})
            if status == 200:
                return
        except (OSError, asyncio.IncompleteReadError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing ready on port {port} after {seconds} s")
        await asyncio.sleep(0.2)


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process so far (Linux /proc; 0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process and of all its live descendants (uvicorn's workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except OSError:
                continue
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent]
        tree.update(children)
        frontier.extend(children)
    return sum(cpu_seconds(member) for member in tree)


def stop_servers(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)
