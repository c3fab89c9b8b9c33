"""Money and percentages as the funds API reads and writes them: exact decimals, travelling as
strings ("3000.00"), built on the kit's `Money`."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from services.common.money import Money

_PLAIN_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
HUNDRED = Decimal(100)
PERCENT_STEP = Decimal("0.01")


def _decimal_text(value: object) -> object:
    # A JSON number may already have lost fen to binary floating point before it reached us,
    # and "1e3" is not how an amount is written: plain decimal strings only.
    if not isinstance(value, str) or not _PLAIN_DECIMAL.match(value.strip()):
        raise ValueError('the amount must be a decimal string, e.g. "3000.00"')
    return value.strip()


def _two_places(value: Decimal) -> str:
    return f"{value:.2f}"


_AS_TEXT = PlainSerializer(_two_places, return_type=str, when_used="json")
_TEXT_SCHEMA = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "examples": ["3000.00"]}

Amount = Annotated[
    Money,
    BeforeValidator(_decimal_text),
    Field(gt=0),
    WithJsonSchema(
        {"type": "string", "pattern": r"^[0-9]{1,16}(\.[0-9]{1,2})?$", "examples": ["3000.00"]}
    ),
]
"""An amount given in a request: more than zero, at most two decimals, a string (元)."""

MoneyOut = Annotated[Decimal, _AS_TEXT, WithJsonSchema(_TEXT_SCHEMA)]
"""An amount in a response, signed where it is an effect (a reversal's is negative)."""

Percent = Annotated[
    Decimal,
    BeforeValidator(_decimal_text),
    Field(ge=0, le=100, max_digits=5, decimal_places=2),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,3}(\.[0-9]{1,2})?$"}),
]
"""A percentage given in a request: 0 to 100 with at most two decimals, a string."""

PercentOut = Annotated[Decimal, _AS_TEXT, WithJsonSchema(_TEXT_SCHEMA)]


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part / whole` as a percentage rounded half up to two decimals; None when `whole` is
    not positive (nothing to measure against)."""
    if whole <= 0:
        return None
    return (part * HUNDRED / whole).quantize(PERCENT_STEP, rounding=ROUND_HALF_UP)
