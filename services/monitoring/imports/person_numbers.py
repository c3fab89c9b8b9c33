"""ID numbers at import speed: the kit's rules, with its expensive region look-up done once per
region code instead of once per number.

`parse_person_number` of the kit asks the region database twice per number (about 150 us); an
import of a county checks a million numbers from a few hundred regions. Here a number that passes
the cheap checks (format, check digit, birth date, disability suffix) is accepted when its region
is known, and the verdict on each region comes from the kit itself, the first time the region is
seen. Every rejection is decided by the kit, so an invalid number breaks exactly the rule the kit
names; tests check that both agree.
"""

from __future__ import annotations

import datetime
import re

from stdnum.cn import ric

from services.common.personal_data import (
    InvalidPersonNumber,
    PersonNumber,
    normalize_person_number,
    parse_person_number,
)

# The kit's pattern: an 18-character resident ID, optionally followed by a disability category
# digit, a level digit and a reissue mark.
_PERSON_NUMBER = re.compile(
    r"(?P<resident_id>[0-9]{17}[0-9X])(?:(?P<category>[1-7])(?P<level>[1-4])(?:B[1-9])?)?"
)
_CHINA = datetime.timezone(datetime.timedelta(hours=8))


class PersonNumbers:
    """Validates and parses person numbers like `parse_person_number`, remembering regions."""

    def __init__(self) -> None:
        self._regions: dict[str, bool] = {}
        self._today = datetime.datetime.now(_CHINA).date()

    def parse(self, raw: str) -> PersonNumber:
        """The parsed number; `InvalidPersonNumber` with the kit's rule when it is not valid."""
        # The common case, plain ASCII letters and digits, is already normalized but for case.
        number = raw.upper() if raw.isascii() and raw.isalnum() else normalize_person_number(raw)
        match = _PERSON_NUMBER.fullmatch(number)
        if match is None:
            return parse_person_number(number)  # raises with the kit's rule
        resident_id = match["resident_id"]
        if ric.calc_check_digit(resident_id) != resident_id[17]:
            return parse_person_number(number)
        try:
            birth_date = datetime.date(
                int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14])
            )
        except ValueError:
            return parse_person_number(number)
        if birth_date > self._today:
            return parse_person_number(number)
        region = resident_id[:6]
        known = self._regions.get(region)
        if known is None:
            # The kit decides; a verdict other than about the region is its own, not cached.
            try:
                parsed = parse_person_number(number)
            except InvalidPersonNumber as exc:
                if exc.rule == "region":
                    self._regions[region] = False
                raise
            self._regions[region] = True
            return parsed
        if not known:
            raise InvalidPersonNumber("region")
        return PersonNumber(
            number=number,
            kind="resident_id" if len(number) == 18 else "disability_certificate",
            resident_id=resident_id,
            birth_date=birth_date,
            sex="male" if int(resident_id[16]) % 2 == 1 else "female",
            region_code=region,
        )
