"""Container health probe: GET http://127.0.0.1:PORT/PATH and exit 0 only on a 2xx answer.

`python /app/docker/healthcheck.py [PATH] [PORT]`; PATH defaults to /healthz. Without PORT the
probe reads it from the running uvicorn's command line (its last `--port`), so one image-level
HEALTHCHECK fits every app whatever port it was given. Standard library only: the slim base
image has no curl.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def uvicorn_port() -> int | None:
    """The port of the uvicorn process in this container, read from /proc."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                args = handle.read().split(b"\0")
        except OSError:
            continue
        if not any(arg.endswith(b"uvicorn") for arg in args[:2]):
            continue
        ports = [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == b"--port"]
        if ports:
            return int(ports[-1])
    return None


def main(argv: list[str]) -> int:
    path = argv[1] if len(argv) > 1 else "/healthz"
    port = int(argv[2]) if len(argv) > 2 else uvicorn_port()
    if port is None:
        print("healthcheck: no uvicorn process in this container", file=sys.stderr)
        return 1
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=4) as response:
            return 0 if 200 <= response.status < 300 else 1
    except Exception as exc:  # HTTPError (e.g. 503 from /readyz), refused, timeout
        print(f"healthcheck: {path} on port {port}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
