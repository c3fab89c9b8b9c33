"""Print one app's OpenAPI document: `python -m scripts.openapi gateway`."""

from __future__ import annotations

import json
import sys

from tests.support.apps import APP_BUILDERS


def main(name: str) -> int:
    print(json.dumps(APP_BUILDERS[name]().openapi(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
