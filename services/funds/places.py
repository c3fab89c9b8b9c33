"""Checks on the places a funds record is bound to, and the dates it carries."""

from __future__ import annotations

from datetime import date

from services.common.areas import AREA_LEVEL_DEPTH, AreaLevel, level_of, significant_prefix
from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.errors import InvalidInput

PROJECT_PLACE_LEVELS = frozenset({AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE})


def county_of(area_code: str) -> str:
    """The county a place (county, township or village) lies in."""
    return significant_prefix(area_code)[: AREA_LEVEL_DEPTH[AreaLevel.COUNTY]].ljust(12, "0")


def province_of(area_code: str) -> str:
    return area_code[: AREA_LEVEL_DEPTH[AreaLevel.PROVINCE]].ljust(12, "0")


def check_in_scope(principal: Principal, area_code: str, field: str) -> None:
    if not principal.covers(area_code):
        raise InvalidInput.for_field(
            field, "area_out_of_scope", "The place is outside your jurisdiction."
        )


def check_county(principal: Principal, area_code: str, field: str) -> None:
    """A county code the caller covers (allocations go to a county)."""
    if level_of(area_code) != AreaLevel.COUNTY:
        raise InvalidInput.for_field(field, "not_a_county", "Funds are allocated to a county.")
    check_in_scope(principal, area_code, field)


def check_project_place(principal: Principal, area_code: str, field: str) -> None:
    """A village, township or county the caller covers."""
    if level_of(area_code) not in PROJECT_PLACE_LEVELS:
        raise InvalidInput.for_field(
            field, "place_level", "A project's place is a village, a township or a county."
        )
    check_in_scope(principal, area_code, field)


def check_not_future(day: date, field: str) -> None:
    if day > business_today():
        raise InvalidInput.for_field(field, "date_in_future", "The date is after today.")


def check_not_before(day: date, earliest: date, field: str, rule: str, what: str) -> None:
    if day < earliest:
        raise InvalidInput.for_field(field, rule, f"The date is before {what} ({earliest}).")
