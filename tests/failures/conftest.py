"""Failure tests (故障测试): real processes against a throwaway PostgreSQL cluster that the tests
restart and whose apps they kill. Marked `failures` (`pytest -m failures` runs only them); they
are part of `make test`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.failures.servers import Apps, Throwaway, throwaway_cluster

HERE = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "failures: restarts a throwaway database or kills app processes"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.failures)


@pytest.fixture(scope="package")
def throwaway() -> Iterator[Throwaway]:
    """One cluster for the folder, migrated once; each test writes in its own villages."""
    with throwaway_cluster() as prepared:
        yield prepared


@pytest.fixture
def processes(throwaway: Throwaway) -> Iterator[Apps]:
    """Start apps with `processes.start("monitoring", SETTING="value")`; stopped afterwards."""
    apps = Apps(throwaway)
    try:
        yield apps
    finally:
        apps.stop_all()
