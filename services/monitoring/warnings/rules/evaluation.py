"""Evaluating a batch's rule versions against its records, in memory and without the ORM:
the feed worker asks this for every valid record."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.monitoring.models import WarningRuleVersion
from services.monitoring.warnings.rules.conditions import Condition

# A person the registry does not hold is judged as an ordinary rural resident.
UNREGISTERED_KIND = "ordinary"
# The one household kind with a threshold of its own: every other kind (and a person the
# registry does not hold) is held to the ordinary one (`CompiledRule.holds`).
OWN_THRESHOLD_KIND = "exited_poverty"


@dataclass(frozen=True, slots=True)
class CompiledRule:
    version_id: int
    rule_id: uuid.UUID
    code: str
    source: str
    event_type: str
    risk_type: str
    by_amount: bool
    at_least: dict[str, Decimal]
    income_threshold: Decimal | None
    ages: tuple[int, int] | None

    @classmethod
    def of(cls, version: WarningRuleVersion) -> CompiledRule:
        condition = Condition.model_validate(version.condition)
        share = condition.income_share
        return cls(
            version_id=version.id,
            rule_id=version.rule_id,
            code=version.code,
            source=version.source,
            event_type=version.event_type,
            risk_type=version.risk_type,
            by_amount=condition.match == "amount",
            at_least={kind: amount for kind, amount in (condition.at_least or {}).items()},
            income_threshold=share.threshold() if share else None,
            ages=(condition.ages.from_age, condition.ages.to_age) if condition.ages else None,
        )

    def holds(self, *, amount: Decimal | None, kind: str, birth_date: date, on: date) -> bool:
        """Whether a record with this amount, about a person of this household kind and birth
        date, on this date, fires the rule."""
        if self.ages is not None and not self.ages[0] <= age_on(birth_date, on) <= self.ages[1]:
            return False
        if not self.by_amount:
            return True
        if amount is None:
            return False
        if amount >= self.at_least.get(kind, self.at_least[UNREGISTERED_KIND]):
            return True
        return self.income_threshold is not None and amount > self.income_threshold

    def verdicts(self, *, amount: Decimal | None, birth_date: date, on: date) -> tuple[bool, bool]:
        """`holds` for a household of `OWN_THRESHOLD_KIND` and for any other (or no) household:
        what a record fires is known before it is matched."""
        return (
            self.holds(amount=amount, kind=OWN_THRESHOLD_KIND, birth_date=birth_date, on=on),
            self.holds(amount=amount, kind=UNREGISTERED_KIND, birth_date=birth_date, on=on),
        )


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on `day`."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


class RuleSet:
    """The rule versions a batch is evaluated with, by (source, event type)."""

    def __init__(self, versions: Iterable[WarningRuleVersion]) -> None:
        self.by_event: dict[tuple[str, str], list[CompiledRule]] = {}
        for version in versions:
            if version.retired:
                continue
            rule = CompiledRule.of(version)
            self.by_event.setdefault((rule.source, rule.event_type), []).append(rule)
        self._needs_amount = {
            key for key, rules in self.by_event.items() if any(rule.by_amount for rule in rules)
        }

    def for_event(self, source: str, event_type: str) -> list[CompiledRule]:
        return self.by_event.get((source, event_type), [])

    def needs_amount(self, source: str, event_type: str) -> bool:
        """An event type some rule compares amounts of: its records must carry one."""
        return (source, event_type) in self._needs_amount
