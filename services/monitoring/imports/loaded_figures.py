"""What the households an import loaded add to the figures (统计数), added in the import's own
transaction like every other write's."""

from __future__ import annotations

from collections import Counter

from services.monitoring.figures.contribution import HouseholdState, contribution
from services.monitoring.imports.ledger import Household


def loaded_figures(loaded: list[Household]) -> dict[str, Counter[str]]:
    """What the loaded households add to each village's figures: per village and kind, a
    household's share times the households plus a person's share times the people."""
    groups: Counter[tuple[str, str]] = Counter()
    people: Counter[tuple[str, str]] = Counter()
    for household in loaded:
        assert household.agreeing is not None
        village, kind = str(household.agreeing[0]), str(household.agreeing[1])
        groups[village, kind] += 1
        people[village, kind] += household.members
    by_village: dict[str, Counter[str]] = {}
    for (village, kind), count in groups.items():
        empty = contribution(HouseholdState(village, kind, "none", None, 0))
        one = contribution(HouseholdState(village, kind, "none", None, 1))
        figures = by_village.setdefault(village, Counter())
        for metric in one.keys() | empty.keys():
            per_person = one[metric] - empty[metric]
            figures[metric] += empty[metric] * count + per_person * people[village, kind]
    return by_village
