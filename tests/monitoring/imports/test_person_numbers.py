"""The import's fast ID-number check agrees with the kit on every number: same parse, or the
same rule broken."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.personal_data import InvalidPersonNumber, parse_person_number
from services.monitoring.imports.person_numbers import PersonNumbers

WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
REGIONS = ["411424", "110105", "110118", "412700", "999999", "410000", "000000", "652901"]


def with_check_digit(body: str) -> str:
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


@st.composite
def numbers(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(REGIONS) | st.from_regex(r"[0-9]{6}", fullmatch=True))
    year = draw(st.integers(1890, datetime.date.today().year + 1))
    month = draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    serial = draw(st.integers(0, 999))
    number = with_check_digit(f"{region}{year:04d}{month:02d}{day:02d}{serial:03d}")
    if draw(st.booleans()):
        number = number[:17] + draw(st.sampled_from("0123456789Xx"))
    suffix = draw(st.sampled_from(["", "", "11", "74", "81", "15", "42B1", "42B0", "4"]))
    spacing = draw(st.sampled_from(["", " ", "\u3000"]))
    return spacing + number[:6] + spacing + number[6:] + suffix


def outcome(parse: object, raw: str) -> object:
    try:
        return parse(raw)  # type: ignore[operator]
    except InvalidPersonNumber as exc:
        return exc.rule


@settings(max_examples=2000, deadline=None)
@given(raw=numbers() | st.text(max_size=24))
def test_fast_path_agrees_with_the_kit(raw: str) -> None:
    fast = PersonNumbers()
    assert outcome(fast.parse, raw) == outcome(parse_person_number, raw)
    # Once the region is remembered, the answer stays the same.
    assert outcome(fast.parse, raw) == outcome(parse_person_number, raw)
