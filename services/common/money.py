"""Money: NUMERIC(18,2) in the database, `Decimal` in Python, a string in JSON."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer
from pydantic_core import PydanticCustomError

CENT = Decimal("0.01")
# Numbers Decimal would take but nobody writes an amount as: exponents, NaN, infinities.
_NOT_AN_AMOUNT = re.compile(r"^\s*[-+]?([0-9.]*[eE][-+]?[0-9]*|s?nan|inf(inity)?)\s*$", re.I)


def exact_amount(value: object) -> object:
    """Refuse what may already have lost fen or is not written as an amount: a JSON number
    with a fraction (a binary float), and strings such as "1e3", "NaN" or "Infinity". Whole
    numbers are exact and pass; decimal strings are the documented form."""
    if isinstance(value, bool | float):
        raise PydanticCustomError(
            "decimal_string", 'The amount must be a decimal string, e.g. "3000.00".'
        )
    if isinstance(value, str) and _NOT_AN_AMOUNT.match(value):
        raise PydanticCustomError(
            "decimal_format", 'The amount must be written as digits, e.g. "3000.00".'
        )
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(exact_amount),
    Field(ge=0, max_digits=18, decimal_places=2, description='Amount in yuan, e.g. "3000.00" (元)'),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
]


def to_cents(value: Decimal) -> Decimal:
    """Round half up to whole fen (分), the way amounts are reported."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
