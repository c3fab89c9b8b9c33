"""Reading one cell of a bulk row: plain functions, fast enough for hundreds of thousands of
rows, each raising `RowError` with the field and the rule it broke."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

# The usual shapes of an amount ("3000", "3000.5", "3000.00"), read without the general checks.
_PLAIN_DECIMAL = {
    places: re.compile(rf"[0-9]{{1,15}}(?:\.[0-9]{{1,{places}}})?") for places in (2, 3)
}
_PLAIN_DECIMAL_LENGTH = 19
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
MONEY_LIMIT = Decimal("1e16")


class RowError(Exception):
    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message


def required(values: dict[str, Any], name: str) -> Any:
    value = values.get(name)
    if value is None or value == "":
        raise RowError(name, "missing", f"{name} is required.")
    return value


def text(values: dict[str, Any], name: str, max_length: int) -> str:
    value = required(values, name)
    if not isinstance(value, str):
        raise RowError(name, "string_type", f"{name} must be text.")
    value = value.strip()
    if not value or len(value) > max_length or "\x00" in value:
        raise RowError(name, "string_length", f"{name} must be 1 to {max_length} characters.")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate, e.g. JSON's "\ud800"
            raise RowError(name, "string_encoding", f"{name} is not valid Unicode.") from None
    return value


def optional_text(values: dict[str, Any], name: str, max_length: int) -> str | None:
    value = values.get(name)
    return None if value is None or value == "" else text(values, name, max_length)


def choice(values: dict[str, Any], name: str, allowed: frozenset[str]) -> str:
    value = required(values, name)
    if not isinstance(value, str) or value not in allowed:
        raise RowError(name, "choice", f"{name} must be one of {', '.join(sorted(allowed))}.")
    return str(value)


def day(values: dict[str, Any], name: str) -> date:
    value = required(values, name)
    try:
        parsed = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise RowError(name, "date_format", f"{name} must be a date, YYYY-MM-DD.")
    if not FIRST_DAY <= parsed <= LAST_DAY:
        raise RowError(name, "date_range", f"{name} must be between 2000 and 2099.")
    return parsed


def optional_day(values: dict[str, Any], name: str) -> date | None:
    value = values.get(name)
    return None if value is None or value == "" else day(values, name)


def money(values: dict[str, Any], name: str) -> Decimal:
    """An amount in yuan: at most 2 decimal places."""
    return number(values, name, places=2, limit=MONEY_LIMIT)


def percent(values: dict[str, Any], name: str) -> Decimal:
    """A rate in percent a year: 0 to 100, at most 3 decimal places."""
    return number(values, name, places=3, limit=Decimal(100), inclusive=True)


def number(
    values: dict[str, Any], name: str, *, places: int, limit: Decimal, inclusive: bool = False
) -> Decimal:
    value = required(values, name)
    usual = isinstance(value, str) and len(value) <= _PLAIN_DECIMAL_LENGTH
    amount = _plain_decimal(value, places) if usual else None
    if amount is not None:
        if amount > limit if inclusive else amount >= limit:
            raise RowError(name, "decimal_range", f"{name} must be from 0 to {limit}.")
        return amount
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError(name, "decimal_type", f'{name} must be a number such as "3000.00".')
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise RowError(
            name, "decimal_type", f'{name} must be a number such as "3000.00".'
        ) from None
    # NaN first: ordering it raises.
    if not amount.is_finite() or amount < 0 or (amount > limit if inclusive else amount >= limit):
        raise RowError(name, "decimal_range", f"{name} must be from 0 to {limit}.")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise RowError(name, "decimal_places", f"{name} has at most {places} decimal places.")
    return amount


@lru_cache(maxsize=16_384)
def _plain_decimal(value: str, places: int) -> Decimal | None:
    """The amount a usual-shaped string holds, else None (remembered: a file repeats its
    amounts and rates over and over)."""
    return Decimal(value) if _PLAIN_DECIMAL[places].fullmatch(value) else None


def integer(values: dict[str, Any], name: str, low: int, high: int) -> int:
    value = required(values, name)
    try:
        number = int(value) if not isinstance(value, bool | float) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise RowError(name, "integer_range", f"{name} must be a whole number {low} to {high}.")
    return number


def identifier(values: dict[str, Any], name: str) -> uuid.UUID:
    value = required(values, name)
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise RowError(name, "uuid_format", f"{name} must be an id (UUID).") from None


def optional_identifier(values: dict[str, Any], name: str) -> uuid.UUID | None:
    value = values.get(name)
    return None if value is None or value == "" else identifier(values, name)
