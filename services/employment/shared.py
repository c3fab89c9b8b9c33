"""Input rules several concepts share: areas within the caller's jurisdiction, person numbers,
years, and the field types of the schemas."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.common.areas import AreaLevel, InvalidAreaCode, level_of
from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.errors import InvalidInput
from services.common.personal_data import InvalidPersonNumber, ProtectedPersonNumber, Protector

Text50 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text300 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
AreaCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")]
PersonNumberInput = Annotated[str, StringConstraints(min_length=15, max_length=30)]
# Business dates stay within a range where every date arithmetic (terms, contracts) is defined.
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]

LOCAL_LEVELS = frozenset({AreaLevel.TOWNSHIP, AreaLevel.VILLAGE})


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_local_area(principal: Principal, area_code: str, field: str) -> None:
    """A township or village within the caller's jurisdiction (422 otherwise, nothing written)."""
    if area_level(area_code, field) not in LOCAL_LEVELS:
        raise InvalidInput.for_field(
            field, "not_township_or_village", "Give the code of a township or a village."
        )
    check_in_scope(principal, area_code, field)


def area_level(area_code: str, field: str) -> AreaLevel:
    """The level of a 12-digit code; 422 when its segments are not a valid code."""
    try:
        return level_of(area_code)
    except InvalidAreaCode as error:
        raise InvalidInput.for_field(field, "area_code", error.message) from None


def check_in_scope(principal: Principal, area_code: str, field: str) -> None:
    if not principal.covers(area_code):
        raise InvalidInput.for_field(
            field, "area_out_of_scope", "The area is outside your jurisdiction."
        )


def protect_number(protector: Protector, raw: str, field: str) -> ProtectedPersonNumber:
    """A valid ID number, encrypted, indexed and masked; 422 naming the broken rule."""
    try:
        return protector.person_number(raw)
    except InvalidPersonNumber as error:
        raise InvalidInput.for_field(field, error.rule, error.message) from None


def check_year(year: int, field: str) -> None:
    this_year = business_today().year
    if not 2000 <= year <= this_year + 1:
        raise InvalidInput.for_field(
            field, "year_range", f"The year must be 2000 to {this_year + 1}."
        )


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
