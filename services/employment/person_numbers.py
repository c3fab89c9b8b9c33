"""ID numbers at speed: the kit's rules, with its expensive region look-up (about 150 us a number
in the region database) done once per region code, for bulk loads and loan applications.

A number that passes the cheap checks (format, check digit, birth date) is accepted when its
region is known; the verdict on each region comes from the kit itself, the first time the region
is seen, and every rejection is decided by the kit, so a bad number breaks exactly the rule the
kit names. The monitoring service's import does the same (services/monitoring/imports/
person_numbers.py); this belongs in the kit, where both could share it.
"""

from __future__ import annotations

import datetime
import re

from stdnum.cn import ric

from services.common.business_time import business_today
from services.common.personal_data import (
    InvalidPersonNumber,
    PersonNumber,
    normalize_person_number,
    parse_person_number,
)

_PERSON_NUMBER = re.compile(
    r"(?P<resident_id>[0-9]{17}[0-9X])(?:(?P<category>[1-7])(?P<level>[1-4])(?:B[1-9])?)?"
)


class PersonNumbers:
    """`parse_person_number`, remembering which regions the kit knows."""

    def __init__(self) -> None:
        self._regions: dict[str, bool] = {}

    def parse(self, raw: str) -> PersonNumber:
        number = normalize_person_number(raw)
        match = _PERSON_NUMBER.fullmatch(number)
        if match is None:
            return parse_person_number(number)
        resident_id = match["resident_id"]
        if ric.calc_check_digit(resident_id) != resident_id[17]:
            return parse_person_number(number)
        try:
            birth_date = datetime.date(
                int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14])
            )
        except ValueError:
            return parse_person_number(number)
        if birth_date > business_today():
            return parse_person_number(number)
        region = resident_id[:6]
        known = self._regions.get(region)
        if known is None:
            try:
                parsed = parse_person_number(number)
            except InvalidPersonNumber as error:
                if error.rule == "region":
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


# Region verdicts do not change while the process runs.
person_numbers = PersonNumbers()
