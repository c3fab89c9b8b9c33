"""Spending progress, industry share and the card a county holds at a date. Pure functions.

The card rule (stated in the README too):
- progress = paid / allocated, as a percentage rounded half up to two decimals; a county with
  nothing allocated has no progress and no card;
- the milestone in force on a day is the last one whose date is on or before that day; before
  the first milestone the required progress is 0;
- shortfall = required progress - progress, in percentage points;
- no card when the shortfall is 0 or less, yellow (黄牌) when it is more than 0 and at most the
  province's `yellow_card_points`, red (红牌) beyond;
- no card either (null, not judged) when the province has no rules for the year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from services.funds.amounts import percent_of


class Card(StrEnum):
    NONE = "none"
    YELLOW = "yellow"  # 黄牌
    RED = "red"  # 红牌


@dataclass(frozen=True)
class Milestone:
    by: date
    percent: Decimal


@dataclass(frozen=True)
class RuleSet:
    industry_share_min: Decimal
    milestones: tuple[Milestone, ...]  # ascending dates
    yellow_card_points: Decimal


@dataclass(frozen=True)
class Standing:
    """Where a county stands on a day."""

    progress: Decimal | None
    industry_share: Decimal | None
    industry_share_met: bool | None
    milestone: Milestone | None  # in force on the day
    required: Decimal | None
    shortfall: Decimal | None
    card: Card | None


def milestone_on(rules: RuleSet, day: date) -> Milestone | None:
    passed = [milestone for milestone in rules.milestones if milestone.by <= day]
    return passed[-1] if passed else None


def card_for(shortfall: Decimal, yellow_card_points: Decimal) -> Card:
    if shortfall <= 0:
        return Card.NONE
    return Card.YELLOW if shortfall <= yellow_card_points else Card.RED


def standing(
    *,
    allocated: Decimal,
    linked: Decimal,
    industry_linked: Decimal,
    paid: Decimal,
    rules: RuleSet | None,
    day: date,
) -> Standing:
    progress = percent_of(paid, allocated)
    industry_share = percent_of(industry_linked, linked)
    if rules is None:
        return Standing(progress, industry_share, None, None, None, None, None)
    met = None if industry_share is None else industry_share >= rules.industry_share_min
    milestone = milestone_on(rules, day)
    required = milestone.percent if milestone else Decimal("0.00")
    if progress is None:
        return Standing(progress, industry_share, met, milestone, required, None, None)
    shortfall = required - progress
    card = card_for(shortfall, rules.yellow_card_points)
    return Standing(progress, industry_share, met, milestone, required, shortfall, card)
