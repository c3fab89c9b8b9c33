"""The checks of one import row's fields: each gives the value to store or raises a
`RowProblem` naming the field and the rule. Pure functions, used by the parser in workers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.common.areas import AreaLevel, InvalidAreaCode, is_within, level_of

LIMITS = {"household_number": 40, "name": 50, "address": 200, "work_place": 100}
FLAGS = (
    "medical_insurance",
    "pension_insurance",
    "minimum_living_allowance",
    "extreme_poverty_support",
)
_TRUE = frozenset({"1", "true", "yes", "y", "是", "有"})
_FALSE = frozenset({"0", "false", "no", "n", "否", "无"})


class RowProblem(Exception):
    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message


def village_problem(village: str, scope_area: str) -> tuple[str, str, str] | None:
    """(field, rule, message) of what is wrong with a village code, None if nothing."""
    try:
        level = level_of(village)
    except InvalidAreaCode as exc:
        return ("village", exc.rule, "The village must be a 12-digit area code.")
    if level is not AreaLevel.VILLAGE:
        return ("village", "not_a_village", f"{village} is a {level.value}, not a village.")
    if not is_within(village, scope_area):
        return ("village", "area_out_of_scope", f"{village} is outside your area.")
    return None


def text_field(value: Any, name: str) -> str | None:
    """A trimmed text field, None when empty; checks the type and the length limit."""
    if value is None:
        return None
    if value.__class__ is not str:
        raise RowProblem(name, "type", f"{name} must be a string.")
    value = value.strip()
    if not value:
        return None
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate, e.g. JSON's "\ud800"
            raise RowProblem(name, "string_encoding", f"{name} is not valid Unicode.") from None
    if "\x00" in value:
        raise RowProblem(name, "string_encoding", f"{name} contains a NUL character.")
    limit = LIMITS.get(name)
    if limit is not None and len(value) > limit:
        raise RowProblem(name, "too_long", f"{name} is longer than {limit} characters.")
    return value


def required(value: Any, name: str) -> str:
    text = text_field(value, name)
    if text is None:
        raise RowProblem(name, "missing", f"{name} is required.")
    return text


def code(
    codes: Mapping[str, frozenset[str]], value: str | None, name: str, list_name: str
) -> str | None:
    if value is not None and value not in codes[list_name]:
        raise RowProblem(name, "code_unknown", f"{value!r} is not a code of the list {list_name}.")
    return value


def work_months(value: Any) -> int | None:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if not value.isascii() or not value.isdigit():
            raise RowProblem("work_months", "format", "work_months must be a whole number.")
        value = int(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RowProblem("work_months", "format", "work_months must be a whole number.")
    if not 0 <= value <= 12:
        raise RowProblem("work_months", "range", "work_months must be between 0 and 12.")
    return value


_FLAG_VALUES: dict[object, bool] = {
    None: False,
    True: True,
    False: False,
    "1": True,
    "0": False,
    "": False,
    "是": True,
    "否": False,
    "true": True,
    "false": False,
}


def flag(value: Any, name: str) -> bool:
    try:
        return _FLAG_VALUES[value]
    except (KeyError, TypeError):
        pass
    if isinstance(value, str):
        text = value.strip().lower()
        if not text or text in _FALSE:
            return False
        if text in _TRUE:
            return True
    raise RowProblem(name, "format", f"{name} must be one of 1/0, true/false, 是/否.")


def household_of(values: Any) -> str | None:
    """The household number of a rejected row (its values in the order of `chunks.FIELDS`), when
    there is one to tie the row to."""
    household = values[0] if isinstance(values, tuple) else None
    if isinstance(household, str):
        return household.strip() or None
    return None
