"""The kit's `Money`: exact decimals in, decimal strings out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from services.common.money import Money


class Payment(BaseModel):
    amount: Money


@pytest.mark.parametrize("given", ["3000.00", " 12.5 ", 12, Decimal("0.01")])
def test_decimal_strings_whole_numbers_and_decimals_are_taken(given: object) -> None:
    assert Payment.model_validate({"amount": given}).amount == Decimal(str(given).strip())


@pytest.mark.parametrize(
    ("given", "rule"),
    [
        (12.5, "decimal_string"),
        (True, "decimal_string"),
        ("1e3", "decimal_format"),
        ("1.5E-2", "decimal_format"),
        ("NaN", "decimal_format"),
        ("-Infinity", "decimal_format"),
        ("abc", "decimal_parsing"),
    ],
)
def test_floats_exponents_and_special_values_are_refused(given: object, rule: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Payment.model_validate({"amount": given})
    [error] = refused.value.errors()
    assert (error["loc"], error["type"]) == (("amount",), rule)


@pytest.mark.parametrize("given", ["-1.00", "0.001", "1" * 17 + ".00"])
def test_negative_over_precise_and_too_large_amounts_are_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        Payment.model_validate({"amount": given})


def test_amounts_travel_as_strings_with_two_decimals() -> None:
    assert Payment(amount=Decimal("7")).model_dump_json() == '{"amount":"7.00"}'
