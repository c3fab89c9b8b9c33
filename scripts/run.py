"""`make run`: the database, its migrations, and the four apps, until Ctrl-C.

With no DATABASE_URL it starts the embedded PostgreSQL (data under .data/, reused next time).
On first run it creates the development administrator and prints its password once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import httpx

from scripts import bootstrap, embedded_db

APPS = {
    "gateway": ("gateway.app:app", "GATEWAY_PORT", 8000),
    "monitoring": ("services.monitoring.app:app", "MONITORING_PORT", 8001),
    "funds": ("services.funds.app:app", "FUNDS_PORT", 8002),
    "employment": ("services.employment.app:app", "EMPLOYMENT_PORT", 8003),
}


def ports() -> dict[str, int]:
    return {name: int(os.environ.get(var, default)) for name, (_, var, default) in APPS.items()}


def start_apps(host: str, app_ports: dict[str, int]) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ)
    for service in ("monitoring", "funds", "employment"):
        env.setdefault(f"GATEWAY_{service.upper()}_URL", f"http://{host}:{app_ports[service]}")
    # The employment service asks monitoring about people (eligibility) on its own.
    env.setdefault("EMPLOYMENT_MONITORING_URL", f"http://{host}:{app_ports['monitoring']}")
    processes = []
    for name, (module, _, _) in APPS.items():
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            module,
            "--host",
            host,
            "--port",
            str(app_ports[name]),
            "--no-access-log",
        ]
        processes.append(subprocess.Popen(command, env=env))
    return processes


def wait_ready(host: str, app_ports: dict[str, int], seconds: float = 180) -> dict[str, bool]:
    deadline = time.monotonic() + seconds
    ready = dict.fromkeys(app_ports, False)
    while not all(ready.values()) and time.monotonic() < deadline:
        for name, port in app_ports.items():
            if not ready[name]:
                with contextlib.suppress(httpx.HTTPError):
                    answer = httpx.get(f"http://{host}:{port}/readyz", timeout=1)
                    ready[name] = answer.status_code == 200
        time.sleep(0.2)
    return ready


def banner(
    host: str, app_ports: dict[str, int], ready: dict[str, bool], password: str | None
) -> str:
    gateway = f"http://{host}:{app_ports['gateway']}"
    lines = ["", "Dixian (底线) is running:"]
    for name, port in app_ports.items():
        state = "ready" if ready[name] else "NOT READY (see its log above)"
        lines.append(f"  {name:<11} http://{host}:{port}   {state}   docs: /api/v1/docs")
    if password:
        lines += [
            "",
            "A development administrator was created. Its password is shown this once:",
            f"  username: admin   password: {password}",
        ]
    lines += [
        "",
        "Get a token:",
        f"  curl -s {gateway}/api/v1/auth/token"
        " -d grant_type=password -d username=admin -d password=...",
        "Then call any service through the gateway, e.g.:",
        f"  curl -s {gateway}/api/v1/monitoring/changes -H 'Authorization: Bearer <access_token>'",
        "",
        "Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


def main() -> int:
    uses_embedded = "DATABASE_URL" not in os.environ
    host = os.environ.get("HOST", "127.0.0.1")
    app_ports = ports()
    bootstrap.prepare()
    password = _ensure_dev_admin()
    processes = start_apps(host, app_ports)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        ready = wait_ready(host, app_ports)
        print(banner(host, app_ports, ready, password), flush=True)
        if os.environ.get("DEMO", os.environ.get("DEMO_DATA", "")).lower() in ("1", "true", "yes"):
            load_demo_data(host, app_ports, ready)
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.3)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if uses_embedded:
            embedded_db.stop()
        print("Dixian stopped.", flush=True)
    return 0 if stopping else 1


def load_demo_data(host: str, app_ports: dict[str, int], ready: dict[str, bool]) -> None:
    """`make run DEMO=1`: the small demo province (演示数据) through the gateway, as a loader
    administrator given a fresh password; a second start finds the data there."""
    if not all(ready.values()) and not all(wait_ready(host, app_ports, seconds=120).values()):
        print("Demo data skipped: not every app is ready.", flush=True)
        return
    import asyncio

    from scripts.demo.loader import LOADER, loader_password

    env = {
        **os.environ,
        "DEMO_GATEWAY_URL": f"http://{host}:{app_ports['gateway']}",
        "DEMO_ADMIN_USERNAME": LOADER,
        "DEMO_ADMIN_PASSWORD": asyncio.run(loader_password()),
    }
    print("Loading the demo data (演示数据)...", flush=True)
    done = subprocess.run([sys.executable, "-m", "scripts.demo_data"], env=env, check=False)
    if done.returncode != 0:
        print("The demo data could not be loaded (see above); the apps keep running.", flush=True)


def _ensure_dev_admin() -> str | None:
    import asyncio

    from gateway.cli import ensure_dev_admin

    return asyncio.run(ensure_dev_admin())


if __name__ == "__main__":
    sys.exit(main())
