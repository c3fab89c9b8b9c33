"""Who the employment and credit policies are for: members of exited-poverty households
(脱贫户) and of households under monitoring (监测对象), by the monitoring service's answer."""

from __future__ import annotations

from datetime import date

from services.employment.registry.client import PersonStanding

ELIGIBLE_KINDS = frozenset({"exited_poverty"})
ELIGIBLE_STATUSES = frozenset({"monitored"})
NO_LABOUR_ABILITY = frozenset({"lost", "none"})


def household_eligible(standing: PersonStanding) -> bool:
    """An exited-poverty household (whatever its monitoring status) or a monitored one."""
    return (
        standing.household_kind in ELIGIBLE_KINDS or standing.monitoring_status in ELIGIBLE_STATUSES
    )


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on `day`."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)
