"""Pure functions on 12-digit statistical division codes (统计用区划代码).

A code is five segments: province (2 digits), city (2), county (2), township (3) and
village (3), e.g. village ``411424105201``. A place above village level has its lower
segments set to zero: the county ``411424000000`` has the significant prefix ``411424``.
``NATION_CODE`` (all zeros) stands for the whole country.

Scope rule: a record with ``area_code`` c is within the jurisdiction s exactly when c
starts with the significant prefix of s; ``scope_bounds`` turns that into an
index-friendly ``BETWEEN`` on fixed-width codes.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import pairwise
from typing import Literal

__all__ = [
    "AREA_LEVEL_DEPTH",
    "CODE_LENGTH",
    "NATION_CODE",
    "AreaLevel",
    "InvalidAreaCode",
    "child_level",
    "expand_short_code",
    "is_within",
    "level_of",
    "parent_code",
    "scope_bounds",
    "significant_prefix",
    "validate_area_code",
]

CODE_LENGTH = 12
NATION_CODE = "000000000000"


class AreaLevel(StrEnum):
    """Administrative level of a place, from the whole country down to a village."""

    NATION = "nation"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


AREA_LEVEL_DEPTH: dict[AreaLevel, int] = {
    AreaLevel.NATION: 0,
    AreaLevel.PROVINCE: 2,
    AreaLevel.CITY: 4,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
}
"""Number of significant leading digits of a code at each level."""

_LEVELS: tuple[AreaLevel, ...] = tuple(AreaLevel)
_DEPTHS: tuple[int, ...] = tuple(AREA_LEVEL_DEPTH[level] for level in _LEVELS)
_LEVEL_BY_DEPTH: dict[int, AreaLevel] = {depth: level for level, depth in AREA_LEVEL_DEPTH.items()}

InvalidRule = Literal["format", "structure"]


class InvalidAreaCode(ValueError):
    """A string that is not a valid 12-digit division code.

    ``rule`` is ``"format"`` (not exactly 12 ASCII digits, or a short code of the wrong
    length) or ``"structure"`` (a non-zero segment below an all-zero one).
    """

    def __init__(self, code: object, rule: InvalidRule, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.rule: InvalidRule = rule
        self.message = message


def _is_ascii_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def validate_area_code(code: str) -> str:
    """Return ``code`` unchanged if it is a valid 12-digit division code.

    Raises ``InvalidAreaCode`` with rule ``"format"`` unless the code is exactly 12 ASCII
    digits, and with rule ``"structure"`` if a segment follows an all-zero segment without
    being all zeros itself (``410000001000``). ``NATION_CODE`` is valid.
    """
    if not isinstance(code, str) or len(code) != CODE_LENGTH or not _is_ascii_digits(code):
        raise InvalidAreaCode(code, "format", f"area code must be 12 ASCII digits: {code!r}")
    depth = _significant_depth(code)
    if code[depth:].strip("0"):
        raise InvalidAreaCode(
            code,
            "structure",
            f"area code has a non-zero segment below an all-zero one: {code!r}",
        )
    return code


def _significant_depth(code: str) -> int:
    """Depth up to the first all-zero segment (assumes 12 digits)."""
    for start, end in pairwise(_DEPTHS):
        if code[start:end].strip("0") == "":
            return start
    return CODE_LENGTH


def level_of(code: str) -> AreaLevel:
    """Level of a valid code, read from its trailing all-zero segments."""
    validate_area_code(code)
    return _LEVEL_BY_DEPTH[_significant_depth(code)]


def significant_prefix(code: str) -> str:
    """The code's significant digits: ``"411424"`` for a county, ``""`` for the nation."""
    validate_area_code(code)
    return code[: _significant_depth(code)]


def parent_code(code: str) -> str | None:
    """The enclosing place: the code with its last significant segment zeroed.

    ``None`` for the nation; the parent of a province is ``NATION_CODE``.
    """
    depth = AREA_LEVEL_DEPTH[level_of(code)]
    if depth == 0:
        return None
    parent_depth = _DEPTHS[_DEPTHS.index(depth) - 1]
    return code[:parent_depth].ljust(CODE_LENGTH, "0")


def is_within(code: str, scope_code: str) -> bool:
    """Whether ``code`` falls under ``scope_code`` (a scope contains itself)."""
    validate_area_code(code)
    return code.startswith(significant_prefix(scope_code))


def scope_bounds(scope_code: str) -> tuple[str, str]:
    """Inclusive lowest and highest 12-digit codes under a scope.

    Meant for ``area_code BETWEEN low AND high`` on a fixed-width code column: for any
    valid code c, ``low <= c <= high`` exactly when ``is_within(c, scope_code)``.
    """
    prefix = significant_prefix(scope_code)
    return prefix.ljust(CODE_LENGTH, "0"), prefix.ljust(CODE_LENGTH, "9")


def child_level(level: AreaLevel) -> AreaLevel | None:
    """The level directly below ``level``; ``None`` below a village."""
    index = _LEVELS.index(AreaLevel(level))
    return _LEVELS[index + 1] if index + 1 < len(_LEVELS) else None


def expand_short_code(code: str) -> str:
    """Pad a 2-, 4-, 6-, 9- or 12-digit code with zeros to a valid 12-digit code.

    ``"411424"`` becomes ``"411424000000"``. Raises ``InvalidAreaCode`` (rule
    ``"format"``) for other lengths or non-digits, and validates the padded result.
    No whitespace is stripped.
    """
    if not isinstance(code, str) or len(code) not in _DEPTHS[1:] or not _is_ascii_digits(code):
        raise InvalidAreaCode(
            code, "format", f"short area code must be 2, 4, 6, 9 or 12 ASCII digits: {code!r}"
        )
    return validate_area_code(code.ljust(CODE_LENGTH, "0"))
