"""Validating and protecting the ID numbers of a feed: the kit's parser, then encryption,
blind index and mask. A chunk's numbers go through a `NumberProtector`, which takes a plain
18-digit number with a right check digit, a region and birth digits the kit's parser already
accepted in this process, without parsing it again (verdicts that cannot change: a region
known once stays known, a birth date in the past stays there; and there are a few thousand
regions and some 55,000 days in 150 years, so what is remembered stays small); any other
number goes to the parser, which answers it and names the rule it breaks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from stdnum.cn import ric

from services.common.personal_data import (
    Protector,
    mask_person_number,
    parse_person_number,
)
from services.common.personal_data.protector import PERSON_NUMBER

_LAST = frozenset("0123456789X")


# What the kit's parser accepted in this process (see the module's docstring).
_REGIONS: set[str] = set()
_BIRTHS: dict[str, datetime.date] = {}


@dataclass(slots=True)  # not frozen: see ValidRecord
class FeedPersonNumber:
    """A feed record's number as stored: encrypted, blind-indexed, masked; and its birth date
    for rules that look at ages."""

    cipher: bytes
    index: bytes
    masked: str
    birth_date: datetime.date


class NumberProtector:
    """Validates (raising InvalidPersonNumber like the kit) and protects numbers; one a chunk
    (its encryptor belongs to one thread)."""

    def __init__(self, protector: Protector) -> None:
        self._encrypt = protector.keyring.bulk_encryptor(PERSON_NUMBER)
        self._digest = protector.blind_index.bulk_digester()
        self._regions = _REGIONS
        self._births = _BIRTHS

    def protect(self, raw: str) -> FeedPersonNumber:
        born = self._births.get(raw[6:14])
        if (
            born is not None
            and len(raw) == 18
            and raw.isascii()
            and raw[:17].isdigit()
            and raw[17] in _LAST
            and raw[:6] in self._regions
            and ric.calc_check_digit(raw) == raw[17]
        ):
            number = raw
        else:
            parsed = parse_person_number(raw)
            number, born = parsed.number, parsed.birth_date
            self._regions.add(parsed.region_code)
            self._births[parsed.resident_id[6:14]] = born
        plain = number.encode()  # ASCII: digits and X
        return FeedPersonNumber(
            cipher=self._encrypt(plain),
            # The kit's person_number_index, for a number the parser has normalized already.
            index=self._digest(plain[:18]),
            masked=mask_person_number(number),
            birth_date=born,
        )


def protect(protector: Protector, raw: str) -> FeedPersonNumber:
    """One number validated and protected (a chunk's go through one `NumberProtector`)."""
    return NumberProtector(protector).protect(raw)
