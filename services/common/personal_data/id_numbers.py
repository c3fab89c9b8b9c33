"""Resident ID numbers (GB 11643-1999) and second-generation disability certificate numbers.

The check digit, the birth date and the region are checked with `stdnum.cn.ric`'s functions and
region data (the region's verdict remembered per code); this module adds what stdnum leaves out
(a birth date in the future, the disability suffix) and names the rule a number broke with a
stable `rule`, so an API can report it.
Error messages never contain the number itself: they end up in logs and problem responses.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from stdnum import numdb
from stdnum.cn import ric

PersonNumberRule = Literal[
    "format", "check_digit", "birth_date", "region", "disability_category", "disability_level"
]
PersonNumberKind = Literal["resident_id", "disability_certificate"]
Sex = Literal["male", "female"]

# [0-9] rather than \d: \d also matches Arabic-Indic and other Unicode digits.
_PERSON_NUMBER = re.compile(
    r"(?P<resident_id>[0-9]{17}[0-9X])"
    r"(?:(?P<category>[0-9])(?P<level>[0-9])(?:B[1-9])?)?"
)
_WHITESPACE = re.compile(r"\s+")
_LAST = frozenset("0123456789X")
# China has had a single UTC+8 offset without daylight saving since 1991, so a fixed offset
# gives the local date without depending on the system's tz database.
_CHINA = datetime.timezone(datetime.timedelta(hours=8))

_MESSAGES: dict[PersonNumberRule, str] = {
    "format": (
        "format: expected an 18-character resident ID (17 digits and a check character 0-9 or X),"
        " optionally followed by a disability category and level digit and 'B' with a reissue"
        " digit 1-9"
    ),
    "check_digit": "check_digit: the check character does not match the first 17 digits",
    "birth_date": "birth_date: digits 7-14 are not a real birth date that is not in the future",
    "region": "region: digits 1-6 are not a known administrative region (county) code",
    "disability_category": "disability_category: the disability category must be 1-7",
    "disability_level": "disability_level: the disability level must be 1-4",
}


class InvalidPersonNumber(ValueError):
    """A person number broke `rule`; `message` explains it in English without echoing it."""

    def __init__(self, rule: PersonNumberRule) -> None:
        self.rule: PersonNumberRule = rule
        self.message: str = _MESSAGES[rule]
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class PersonNumber:
    """A validated resident ID or disability certificate number."""

    number: str
    kind: PersonNumberKind
    resident_id: str
    birth_date: datetime.date
    sex: Sex
    region_code: str


def normalize_person_number(raw: str) -> str:
    """Return `raw` without whitespace, in NFKC form and upper case (a trailing 'x' becomes 'X').

    NFKC turns the full-width digits Chinese input methods produce into ASCII digits, and all
    whitespace goes because people type numbers in groups.
    """
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def parse_person_number(raw: str) -> PersonNumber:
    """Validate and parse a resident ID (18 chars) or disability certificate (20 or 22 chars).

    Raises `InvalidPersonNumber` naming the first rule the number breaks.
    """
    # Most numbers arrive as 18 plain characters, which normalizing would leave as they are.
    plain = len(raw) == 18 and raw.isascii() and raw[:17].isdigit() and raw[17] in _LAST
    number = raw if plain else normalize_person_number(raw)
    match = _PERSON_NUMBER.fullmatch(number)
    if match is None:
        raise InvalidPersonNumber("format")
    resident_id = match["resident_id"]
    birth_date = _validate_resident_id(resident_id)
    if match["category"] is not None:
        if not "1" <= match["category"] <= "7":
            raise InvalidPersonNumber("disability_category")
        if not "1" <= match["level"] <= "4":
            raise InvalidPersonNumber("disability_level")
    return PersonNumber(
        number=number,
        kind="resident_id" if len(number) == 18 else "disability_certificate",
        resident_id=resident_id,
        birth_date=birth_date,
        sex="male" if int(resident_id[16]) % 2 == 1 else "female",
        region_code=resident_id[:6],
    )


def is_valid_person_number(raw: str) -> bool:
    """Whether `raw` is a valid resident ID or disability certificate number."""
    try:
        parse_person_number(raw)
    except InvalidPersonNumber:
        return False
    return True


def _validate_resident_id(resident_id: str) -> datetime.date:
    """The rules in python-stdnum's order (`ric.validate`): check digit, birth date, region."""
    if ric.calc_check_digit(resident_id) != resident_id[17]:
        raise InvalidPersonNumber("check_digit")
    birth_date = _birth_date(resident_id)
    # stdnum also refuses a region code that did not exist in the birth year. But numbers
    # are issued where and when a person is registered, not at birth: someone born in 1990
    # and registered late (the 2016 regularisation of unregistered people, 黑户) in 密云区
    # carries its 2015 code 110118, and cards keep the codes of units merged away since.
    # A code the region database knows for any period is therefore accepted.
    if not _region_ever_known(resident_id[:6]):
        raise InvalidPersonNumber("region")
    return birth_date


@lru_cache(maxsize=16_384)
def _region_ever_known(region: str) -> bool:
    """Whether the region database knows `region` as a county for any period (remembered: the
    look-up walks stdnum's database and costs more than all other checks together)."""
    results = numdb.get("cn/loc").info(region)
    return any("county" in properties for _, properties in results)


def _birth_date(resident_id: str) -> datetime.date:
    try:
        birth_date = datetime.date(
            int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14])
        )
    except ValueError:
        raise InvalidPersonNumber("birth_date") from None
    # A calendar date that has not happened yet is no birth date either.
    if birth_date > datetime.datetime.now(_CHINA).date():
        raise InvalidPersonNumber("birth_date")
    return birth_date
