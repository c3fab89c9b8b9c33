"""The monitoring service's periods are settings: national practice by default, read from
MONITORING_ variables, refused when out of bounds."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.monitoring.settings import MonitoringSettings

PERIODS = {
    "notice_days": 5,
    "identification_deadline_days": 15,
    "elimination_deadline_days": 15,
    "plan_days": 10,
    "measure_days": 30,
}


def test_the_periods_default_to_national_practice() -> None:
    settings = MonitoringSettings()
    assert {name: getattr(settings, name) for name in PERIODS} == PERIODS


def test_the_periods_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, days in PERIODS.items():
        monkeypatch.setenv(f"MONITORING_{name.upper()}", str(days + 2))
    settings = MonitoringSettings()
    assert {name: getattr(settings, name) for name in PERIODS} == {
        name: days + 2 for name, days in PERIODS.items()
    }


@pytest.mark.parametrize("name", sorted(PERIODS))
@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_period_out_of_bounds_is_refused(name: str, days: int) -> None:
    with pytest.raises(ValidationError, match=name):
        MonitoringSettings(**{name: days})


def test_a_deadline_shorter_than_the_notice_is_refused() -> None:
    with pytest.raises(ValidationError, match="MONITORING_ELIMINATION_DEADLINE_DAYS"):
        MonitoringSettings(notice_days=10, elimination_deadline_days=9)
    assert MonitoringSettings(notice_days=10, identification_deadline_days=10).notice_days == 10
