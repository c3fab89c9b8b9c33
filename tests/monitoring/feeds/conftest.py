"""The national default warning rules in place for every test here (see `ensure_default_rules`)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.monitoring.feeds.support import ensure_default_rules


@pytest.fixture(autouse=True)
async def default_rules(apps: dict[str, FastAPI]) -> None:
    await ensure_default_rules(apps["monitoring"])
