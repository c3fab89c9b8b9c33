"""The kit's ID-number parser (fast: own checks, the region's verdict remembered) answers
exactly like a reference built on python-stdnum's own validation, for any input."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError

from services.common.business_time import business_today
from services.common.personal_data import (
    BlindIndex,
    InvalidPersonNumber,
    Keyring,
    PersonNumber,
    Protector,
    mask_person_number,
    normalize_person_number,
    parse_person_number,
)
from services.monitoring.feeds.person_numbers import NumberProtector, protect
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
def test_the_kit_answers_like_the_stdnum_reference(raw: str) -> None:
    assert outcome(parse_person_number, raw) == reference(raw)


def reference(raw: str) -> PersonNumber | str:
    """The rules as python-stdnum checks them (check digit, birth date, region for the birth
    year), a region known for any period accepted, a future birth date refused."""
    number = normalize_person_number(raw)
    match = re.fullmatch(r"([0-9]{17}[0-9X])(?:([0-9])([0-9])(?:B[1-9])?)?", number)
    if match is None:
        return "format"
    resident_id, category, level = match.groups()
    try:
        ric.validate(resident_id)
    except InvalidChecksum:
        return "check_digit"
    except (InvalidComponent, KeyError):
        try:
            born = ric.get_birth_date(resident_id)
        except ValidationError:
            return "birth_date"
        if born > business_today():
            return "birth_date"
        known = numdb.get("cn/loc").info(resident_id[:6])
        if not any("county" in properties for _, properties in known):
            return "region"
    born = ric.get_birth_date(resident_id)
    if born > business_today():
        return "birth_date"
    if category is not None and not "1" <= category <= "7":
        return "disability_category"
    if level is not None and not "1" <= level <= "4":
        return "disability_level"
    return parse_person_number(raw)


BLIND_INDEX = BlindIndex(b"k" * 32)
PROTECTOR = Protector(Keyring({"k1": b"d" * 32}, "k1"), BLIND_INDEX)


@settings(max_examples=200, deadline=None)
@given(near_valid_numbers())
def test_the_feed_protects_numbers_like_the_kit(raw: str) -> None:
    """The feed indexes a parsed number without normalizing it again: the same blind index."""
    try:
        parsed = parse_person_number(raw)
    except InvalidPersonNumber:
        return
    protected = protect(PROTECTOR, raw)
    assert protected.index == PROTECTOR.person_number_index(parsed.number)
    assert PROTECTOR.reveal_person_number(protected.cipher) == parsed.number
    assert protected.masked == mask_person_number(parsed.number)


@settings(max_examples=150, deadline=None)
@given(st.lists(near_valid_numbers(), min_size=1, max_size=30))
def test_a_chunks_numbers_are_judged_like_the_kit_judges_each(raws: list[str]) -> None:
    """A chunk's protector skips the parser for numbers like ones it accepted (same region and
    birth digits): every number still gets the kit's verdict, and valid ones its protection."""
    numbers = NumberProtector(PROTECTOR)
    for raw in raws + raws:  # the second time round, the fast path sees them all
        kit = outcome(parse_person_number, raw)
        try:
            protected = numbers.protect(raw)
        except InvalidPersonNumber as error:
            assert kit == error.rule
            continue
        assert isinstance(kit, PersonNumber)
        assert protected.birth_date == kit.birth_date
        assert protected.index == PROTECTOR.person_number_index(kit.number)
        assert PROTECTOR.reveal_person_number(protected.cipher) == kit.number
        assert protected.masked == mask_person_number(kit.number)
