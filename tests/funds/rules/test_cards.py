"""The card rule as pure functions, with property tests: no card on or above the milestone in
force, yellow up to `yellow_card_points` below it, red beyond; not judged without rules or
allocations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.funds.amounts import percent_of
from services.funds.rules.cards import Card, Milestone, RuleSet, milestone_on, standing

RULES = RuleSet(
    industry_share_min=Decimal("55.00"),
    milestones=(
        Milestone(date(2026, 4, 30), Decimal("30.00")),
        Milestone(date(2026, 6, 30), Decimal("50.00")),
        Milestone(date(2026, 9, 30), Decimal("75.00")),
        Milestone(date(2026, 12, 31), Decimal("100.00")),
    ),
    yellow_card_points=Decimal("10.00"),
)
ALLOCATED = Decimal("1000000.00")


def card_at(paid: str, day: date) -> Card | None:
    return standing(
        allocated=ALLOCATED,
        linked=ALLOCATED,
        industry_linked=Decimal(0),
        paid=Decimal(paid),
        rules=RULES,
        day=day,
    ).card


def test_the_milestone_in_force_is_the_last_one_passed() -> None:
    assert milestone_on(RULES, date(2026, 4, 29)) is None
    assert milestone_on(RULES, date(2026, 4, 30)) == RULES.milestones[0]
    assert milestone_on(RULES, date(2026, 8, 15)) == RULES.milestones[1]
    assert milestone_on(RULES, date(2027, 1, 10)) == RULES.milestones[3]


def test_cards_at_the_edges() -> None:
    june = date(2026, 7, 1)  # 50% required
    assert card_at("500000.00", june) == Card.NONE
    assert card_at("499999.99", june) == Card.NONE  # 49.999999% rounds to 50.00%
    assert card_at("499949.99", june) == Card.YELLOW  # 49.99%
    assert card_at("400000.00", june) == Card.YELLOW  # exactly 10 points below
    assert card_at("399949.99", june) == Card.RED  # 39.99%
    assert card_at("0.00", date(2026, 3, 31)) == Card.NONE  # before the first milestone


def test_not_judged_without_rules_or_allocations() -> None:
    nothing = standing(
        allocated=Decimal(0),
        linked=Decimal(0),
        industry_linked=Decimal(0),
        paid=Decimal(0),
        rules=RULES,
        day=date(2026, 7, 1),
    )
    assert nothing.card is None and nothing.progress is None and nothing.required == Decimal(50)
    no_rules = standing(
        allocated=ALLOCATED,
        linked=ALLOCATED,
        industry_linked=ALLOCATED,
        paid=Decimal(0),
        rules=None,
        day=date(2026, 7, 1),
    )
    assert no_rules.card is None and no_rules.progress == Decimal("0.00")
    assert no_rules.industry_share == Decimal("100.00") and no_rules.industry_share_met is None


fen = st.integers(min_value=0, max_value=10**12).map(lambda cents: Decimal(cents) / 100)


@given(
    paid=fen,
    allocated=fen.filter(lambda amount: amount > 0),
    day=st.dates(date(2026, 1, 1), date(2027, 3, 1)),
)
def test_the_card_follows_the_shortfall(paid: Decimal, allocated: Decimal, day: date) -> None:
    result = standing(
        allocated=allocated, linked=allocated, industry_linked=paid, paid=paid, rules=RULES, day=day
    )
    progress = percent_of(paid, allocated)
    assert result.progress == progress and progress is not None
    assert progress.as_tuple().exponent == -2
    milestone = milestone_on(RULES, day)
    required = milestone.percent if milestone else Decimal(0)
    assert result.shortfall == required - progress
    if progress >= required:
        assert result.card == Card.NONE
    elif required - progress <= RULES.yellow_card_points:
        assert result.card == Card.YELLOW
    else:
        assert result.card == Card.RED


@given(part=fen, whole=fen.filter(lambda amount: amount > 0))
def test_percentages_are_exact_and_rounded_half_up(part: Decimal, whole: Decimal) -> None:
    shown = percent_of(part, whole)
    assert shown is not None
    exact = part * 100 / whole
    assert abs(shown - exact) <= Decimal("0.005")
    assert percent_of(part, Decimal(0)) is None
