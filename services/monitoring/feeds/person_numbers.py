"""Validating and protecting the ID numbers of a feed: the kit's parser (fast enough for bulk:
it remembers each region's verdict), then encryption, blind index and mask."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from services.common.personal_data import (
    Protector,
    mask_person_number,
    parse_person_number,
)
from services.common.personal_data.protector import PERSON_NUMBER


@dataclass(slots=True)  # not frozen: see ValidRecord
class FeedPersonNumber:
    """A feed record's number as stored: encrypted, blind-indexed, masked; and its birth date
    for rules that look at ages."""

    cipher: bytes
    index: bytes
    masked: str
    birth_date: datetime.date


def protect(protector: Protector, raw: str) -> FeedPersonNumber:
    """Validate (raises InvalidPersonNumber like the kit) and protect a number."""
    parsed = parse_person_number(raw)
    return FeedPersonNumber(
        cipher=protector.keyring.encrypt(parsed.number, PERSON_NUMBER),
        # The kit's person_number_index, for a number the parser has normalized already.
        index=protector.blind_index.digest_canonical(parsed.number[:18]),
        masked=mask_person_number(parsed.number),
        birth_date=parsed.birth_date,
    )
