"""One app under uvicorn for the failure tests: `python -m tests.failures.serve NAME PORT`.

The same app object `uvicorn services.monitoring.app:app` serves, with one addition the
import test needs: FAILURES_IMPORT_CHUNK_BYTES cuts an upload into small chunks (as the import
tests do in-process through `app.state.import_tuning`), so a file of a few hundred kilobytes
is written chunk by chunk inside its transaction and a restart can land between chunks.
"""

from __future__ import annotations

import importlib
import os
import sys

import uvicorn

from scripts.run import APPS


def main(name: str, port: int) -> None:
    module, _, attribute = APPS[name][0].partition(":")
    app = getattr(importlib.import_module(module), attribute)
    chunk_bytes = os.environ.get("FAILURES_IMPORT_CHUNK_BYTES")
    if chunk_bytes:
        from services.monitoring.imports.workers import ImportTuning

        tuning = ImportTuning(mode="thread", workers=1, chunk_bytes=int(chunk_bytes))
        app.state.import_tuning = tuning
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
