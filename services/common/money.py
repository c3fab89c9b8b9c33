"""Money: NUMERIC(18,2) in the database, `Decimal` in Python, a string in JSON."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

CENT = Decimal("0.01")

Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=18, decimal_places=2, description='Amount in yuan, e.g. "3000.00" (元)'),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
]


def to_cents(value: Decimal) -> Decimal:
    """Round half up to whole fen (分), the way amounts are reported."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
