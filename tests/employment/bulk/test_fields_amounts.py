"""Amounts in bulk rows: the remembered fast path for usual strings gives the value or the
rule the general reading gives, the first time and every time after."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.employment.bulk import fields
from services.employment.bulk.fields import MONEY_LIMIT, RowError


def general(value: Any, places: int, limit: Decimal, inclusive: bool) -> Decimal | str:
    """The reading without the fast path: the amount, or the rule broken."""
    if value is None or value == "":
        return "missing"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return "decimal_type"
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return "decimal_type"
    # NaN first: ordering it raises.
    if not amount.is_finite() or amount < 0 or (amount > limit if inclusive else amount >= limit):
        return "decimal_range"
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        return "decimal_places"
    return amount


def read(value: Any, places: int, limit: Decimal, inclusive: bool) -> Decimal | str:
    try:
        return fields.number(
            {"amount": value}, "amount", places=places, limit=limit, inclusive=inclusive
        )
    except RowError as error:
        return error.rule


AMOUNTS = (
    st.from_regex(r"[0-9]{1,17}(\.[0-9]{0,4})?", fullmatch=True)
    | st.text(alphabet="0123456789.-+eE ", max_size=22)
    | st.integers(-10, 10**17)
    | st.sampled_from(["100", "100.000", "99.999", "1e2", "NaN", " 5 ", "0" * 30])
)


@given(AMOUNTS, st.sampled_from([(2, MONEY_LIMIT, False), (3, Decimal(100), True)]))
def test_amounts_read_as_the_general_reading_reads_them(value: Any, rule: tuple[Any, ...]) -> None:
    places, limit, inclusive = rule
    expected = general(value, places, limit, inclusive)
    for _ in range(2):
        got = read(value, places, limit, inclusive)
        assert got == expected and type(got) is type(expected)
