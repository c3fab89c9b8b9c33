"""The feed's cached ID-number check answers exactly like the kit's parser, for any input."""

from __future__ import annotations

from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from services.common.personal_data import InvalidPersonNumber, PersonNumber, parse_person_number
from services.monitoring.feeds.person_numbers import parse_fast
from tests.support.monitoring import person_number

REGIONS = ["411424", "110105", "430102", "110118", "999999", "410000", "000000", "652901"]


def outcome(parse: object, raw: str) -> PersonNumber | str:
    try:
        return parse(raw)  # type: ignore[operator,no-any-return]
    except InvalidPersonNumber as error:
        return error.rule


@st.composite
def near_valid_numbers(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(REGIONS) | st.from_regex(r"[0-9]{6}", fullmatch=True))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2035, 12, 31)))
    number = person_number(
        region=region, birth=birth, sex=draw(st.sampled_from(["male", "female"]))
    )
    mutation = draw(st.sampled_from(["none", "check", "month", "suffix", "short", "lower"]))
    if mutation == "check":
        number = number[:-1] + draw(st.sampled_from("0123456789X"))
    elif mutation == "month":
        number = number[:10] + draw(st.from_regex(r"[0-9]{4}", fullmatch=True)) + number[14:]
    elif mutation == "suffix":
        number += draw(st.from_regex(r"[0-9]{2}(B[0-9])?", fullmatch=True))
    elif mutation == "short":
        number = number[: draw(st.integers(0, 17))]
    elif mutation == "lower":
        number = " " + number.lower() + " "
    return number


@settings(max_examples=400, deadline=None)
@given(near_valid_numbers() | st.text(max_size=25))
@example("11010519491231002X")
@example("110105194912310021")
@example("41142419800517001X32")
@example("411424198005170011B1")
def test_parse_fast_answers_like_the_kit(raw: str) -> None:
    assert outcome(parse_fast, raw) == outcome(parse_person_number, raw)
