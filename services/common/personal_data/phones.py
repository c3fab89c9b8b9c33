"""Mainland China phone numbers: mobiles and landlines with their area code."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

_SEPARATORS = re.compile(r"[\s-]+")
_COUNTRY_PREFIX = re.compile(r"(?:\+|00)86")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# The trunk 0, an area code (010, 0371; none starts with 0: 00 dials abroad), the number.
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[0-9]{7,8}")


class InvalidPhone(ValueError):
    """A phone number that is neither a mainland mobile nor a landline with area code."""

    def __init__(self) -> None:
        self.rule: Literal["format"] = "format"
        self.message: str = (
            "format: expected a mainland mobile number (11 digits starting 13-19) or a landline"
            " with its area code (0 + 2-3 digit area code + 7-8 digit number)"
        )
        super().__init__(self.message)


def normalize_phone(raw: str) -> str:
    """Return the digits of a mainland mobile or landline number; raise InvalidPhone otherwise.

    Spaces, dashes and a leading +86 or 0086 are removed. Internationally a landline is written
    without its trunk 0 (+86 371 2345 6789), so that 0 is put back.
    """
    # NFKC turns full-width digits and plus signs from Chinese input methods into ASCII.
    number = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    country_prefix = _COUNTRY_PREFIX.match(number)
    if country_prefix is not None:
        number = number[country_prefix.end() :]
        # Beijing's +86 10 starts with 1 like a mobile, so only a full mobile number stays as is.
        if not _MOBILE.fullmatch(number) and not number.startswith("0"):
            number = "0" + number
    if _MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number):
        return number
    raise InvalidPhone()
