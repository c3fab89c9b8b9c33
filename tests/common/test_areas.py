"""Tests for services.common.areas (12-digit statistical division codes)."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.areas import (
    AREA_LEVEL_DEPTH,
    NATION_CODE,
    AreaLevel,
    InvalidAreaCode,
    child_level,
    expand_short_code,
    is_within,
    level_of,
    parent_code,
    scope_bounds,
    significant_prefix,
    validate_area_code,
)

VILLAGE = "411424105201"
TOWNSHIP = "411424105000"
COUNTY = "411424000000"
CITY = "411400000000"
PROVINCE = "410000000000"

SEGMENT_WIDTHS = (2, 2, 2, 3, 3)
DEPTHS = (0, 2, 4, 6, 9, 12)


# --- strategies -------------------------------------------------------------------------


def _segment(width: int) -> st.SearchStrategy[str]:
    """A non-zero segment of ``width`` digits."""
    return st.integers(1, 10**width - 1).map(lambda n: str(n).zfill(width))


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    """Any structurally valid code, from the nation down to a village."""
    significant = draw(st.integers(0, len(SEGMENT_WIDTHS)))
    digits = "".join(draw(_segment(w)) for w in SEGMENT_WIDTHS[:significant])
    return digits.ljust(12, "0")


def ancestors(code: str) -> list[str]:
    result = []
    parent = parent_code(code)
    while parent is not None:
        result.append(parent)
        parent = parent_code(parent)
    return result


@st.composite
def code_and_scope(draw: st.DrawFn) -> tuple[str, str]:
    """A code and a scope that is often, but not always, related to it."""
    code = draw(valid_codes())
    kind = draw(st.sampled_from(["random", "ancestor", "self", "sibling"]))
    if kind == "random":
        return code, draw(valid_codes())
    if kind == "self":
        return code, code
    if kind == "ancestor":
        return code, draw(st.sampled_from([*ancestors(code), code]))
    # a scope sharing a prefix with the code but differing in one significant digit
    depth = AREA_LEVEL_DEPTH[level_of(code)]
    if depth == 0:
        return code, draw(valid_codes())
    scope_depth = draw(st.sampled_from([d for d in DEPTHS if 0 < d <= depth]))
    position = draw(st.integers(0, scope_depth - 1))
    digit = draw(st.sampled_from("123456789"))
    scope = code[:position] + digit + code[position + 1 : scope_depth]
    scope = scope.ljust(12, "0")
    return code, scope


# --- validate_area_code -----------------------------------------------------------------


@pytest.mark.parametrize(
    "code", [NATION_CODE, PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE, "999999999999"]
)
def test_valid_codes_are_returned_unchanged(code: str) -> None:
    assert validate_area_code(code) == code


@pytest.mark.parametrize(
    "code",
    [
        "",
        "41142410520",  # 11 digits
        "4114241052010",  # 13 digits
        "411424",  # short codes are not full codes
        "41142410520a",
        " 41142410520",
        "411424105201\n",
        "４１１４２４１０５２０１",  # full-width digits
        "41142410520²",  # superscript two: isdigit() but not a decimal ASCII digit
        "-41142410520",
    ],
)
def test_format_errors(code: str) -> None:
    with pytest.raises(InvalidAreaCode) as info:
        validate_area_code(code)
    assert info.value.rule == "format"
    assert info.value.message
    assert isinstance(info.value, ValueError)


def test_non_string_is_a_format_error() -> None:
    with pytest.raises(InvalidAreaCode) as info:
        validate_area_code(411424105201)  # type: ignore[arg-type]
    assert info.value.rule == "format"


@pytest.mark.parametrize(
    "code",
    [
        "410000001000",  # township digits under a zero city and county
        "000000000001",
        "000000000010",
        "410001000000",  # county under a zero city
        "411424000201",  # village under a zero township
        "001424105201",  # everything under a zero province
    ],
)
def test_structure_errors(code: str) -> None:
    with pytest.raises(InvalidAreaCode) as info:
        validate_area_code(code)
    assert info.value.rule == "structure"
    assert code in info.value.message


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_validity_matches_the_segment_rule(code: str) -> None:
    segments = [code[a:b] for a, b in pairwise(DEPTHS)]
    zero = [set(s) == {"0"} for s in segments]
    first_zero = zero.index(True) if True in zero else len(zero)
    expected = all(zero[first_zero:])
    try:
        validate_area_code(code)
    except InvalidAreaCode as error:
        assert not expected
        assert error.rule == "structure"
    else:
        assert expected


# --- levels -----------------------------------------------------------------------------


def test_level_depths() -> None:
    assert [AREA_LEVEL_DEPTH[level] for level in AreaLevel] == [0, 2, 4, 6, 9, 12]
    assert set(AREA_LEVEL_DEPTH) == set(AreaLevel)
    assert AreaLevel.COUNTY == "county"


@pytest.mark.parametrize(
    ("code", "level"),
    [
        (NATION_CODE, AreaLevel.NATION),
        (PROVINCE, AreaLevel.PROVINCE),
        (CITY, AreaLevel.CITY),
        (COUNTY, AreaLevel.COUNTY),
        (TOWNSHIP, AreaLevel.TOWNSHIP),
        (VILLAGE, AreaLevel.VILLAGE),
        ("110101000000", AreaLevel.COUNTY),  # 北京市东城区: municipality district
        ("411424105100", AreaLevel.VILLAGE),  # village segment 100 ends in zeros
        ("411424100000", AreaLevel.TOWNSHIP),  # township segment 100 ends in zeros
        ("411000000000", AreaLevel.CITY),  # city segment 10
    ],
)
def test_level_of(code: str, level: AreaLevel) -> None:
    assert level_of(code) == level


def test_level_of_rejects_invalid_codes() -> None:
    with pytest.raises(InvalidAreaCode):
        level_of("410000001000")


def test_child_level() -> None:
    assert child_level(AreaLevel.NATION) == AreaLevel.PROVINCE
    assert child_level(AreaLevel.PROVINCE) == AreaLevel.CITY
    assert child_level(AreaLevel.CITY) == AreaLevel.COUNTY
    assert child_level(AreaLevel.COUNTY) == AreaLevel.TOWNSHIP
    assert child_level(AreaLevel.TOWNSHIP) == AreaLevel.VILLAGE
    assert child_level(AreaLevel.VILLAGE) is None


# --- prefixes and parents ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        (NATION_CODE, ""),
        (PROVINCE, "41"),
        (CITY, "4114"),
        (COUNTY, "411424"),
        (TOWNSHIP, "411424105"),
        (VILLAGE, "411424105201"),
    ],
)
def test_significant_prefix(code: str, prefix: str) -> None:
    assert significant_prefix(code) == prefix


@pytest.mark.parametrize(
    ("code", "parent"),
    [
        (VILLAGE, TOWNSHIP),
        (TOWNSHIP, COUNTY),
        (COUNTY, CITY),
        (CITY, PROVINCE),
        (PROVINCE, NATION_CODE),
        (NATION_CODE, None),
        ("110101000000", "110100000000"),  # purely structural, whatever the data says
    ],
)
def test_parent_code(code: str, parent: str | None) -> None:
    assert parent_code(code) == parent


@given(valid_codes())
def test_parent_chain_climbs_one_level_at_a_time(code: str) -> None:
    chain = [code, *ancestors(code)]
    assert chain[-1] == NATION_CODE
    levels = [level_of(c) for c in chain]
    assert levels == list(reversed(list(AreaLevel)))[-len(chain) :]
    for child, parent in pairwise(chain):
        assert child_level(level_of(parent)) == level_of(child)
        assert child.startswith(significant_prefix(parent))


# --- scope ------------------------------------------------------------------------------


def test_is_within_examples() -> None:
    assert is_within(VILLAGE, COUNTY)
    assert is_within(VILLAGE, VILLAGE)
    assert is_within(COUNTY, COUNTY)
    assert is_within(COUNTY, PROVINCE)
    assert is_within(VILLAGE, NATION_CODE)
    assert is_within(NATION_CODE, NATION_CODE)
    assert not is_within(COUNTY, VILLAGE)
    assert not is_within(PROVINCE, COUNTY)
    assert not is_within(NATION_CODE, PROVINCE)
    assert not is_within("411425105201", COUNTY)
    assert not is_within("411425000000", COUNTY)
    assert not is_within("421424105201", COUNTY)


def test_is_within_validates_both_codes() -> None:
    with pytest.raises(InvalidAreaCode):
        is_within("411424", COUNTY)
    with pytest.raises(InvalidAreaCode):
        is_within(VILLAGE, "411424")


def test_scope_bounds_examples() -> None:
    assert scope_bounds(COUNTY) == ("411424000000", "411424999999")
    assert scope_bounds(PROVINCE) == ("410000000000", "419999999999")
    assert scope_bounds(VILLAGE) == (VILLAGE, VILLAGE)
    assert scope_bounds(NATION_CODE) == ("000000000000", "999999999999")
    low, high = scope_bounds(COUNTY)
    assert low <= VILLAGE <= high
    assert not low <= "411425000000" <= high
    assert not low <= "411423999999" <= high


@given(valid_codes(), st.data())
def test_every_code_is_within_its_ancestors(code: str, data: st.DataObject) -> None:
    for scope in [code, *ancestors(code)]:
        assert is_within(code, scope)
        low, high = scope_bounds(scope)
        assert low <= code <= high
    scope = data.draw(st.sampled_from([code, *ancestors(code)]))
    assert is_within(code, scope)


@given(code_and_scope())
def test_is_within_agrees_with_scope_bounds(pair: tuple[str, str]) -> None:
    code, scope = pair
    low, high = scope_bounds(scope)
    assert is_within(code, scope) == (low <= code <= high)
    assert is_within(code, scope) == code.startswith(significant_prefix(scope))


@given(valid_codes(), valid_codes())
def test_is_within_agrees_with_scope_bounds_for_unrelated_codes(code: str, scope: str) -> None:
    low, high = scope_bounds(scope)
    assert is_within(code, scope) == (low <= code <= high)


@given(valid_codes().filter(lambda c: not c.startswith("411424")))
def test_codes_outside_a_county_are_not_within_it(code: str) -> None:
    assert not is_within(code, COUNTY)
    low, high = scope_bounds(COUNTY)
    assert not low <= code <= high


@given(
    st.tuples(_segment(3), _segment(3)).map(lambda t: "411425" + t[0] + t[1]),
)
def test_villages_of_the_neighbouring_county_are_outside(code: str) -> None:
    assert not is_within(code, COUNTY)
    assert is_within(code, "411425000000")


@given(code_and_scope())
def test_within_is_transitive_through_parents(pair: tuple[str, str]) -> None:
    code, scope = pair
    if is_within(code, scope):
        parent = parent_code(code)
        if parent is not None and code != scope:
            assert is_within(parent, scope)


# --- expand_short_code ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("41", PROVINCE),
        ("4114", CITY),
        ("411424", COUNTY),
        ("411424105", TOWNSHIP),
        ("411424105201", VILLAGE),
        ("110101", "110101000000"),
        ("00", NATION_CODE),
    ],
)
def test_expand_short_code(short: str, full: str) -> None:
    assert expand_short_code(short) == full


@pytest.mark.parametrize(
    "short", ["", "4", "411", "41142", "4114241", "41142410", "4114241052", "41142410520a"]
)
def test_expand_short_code_rejects_other_lengths(short: str) -> None:
    with pytest.raises(InvalidAreaCode) as info:
        expand_short_code(short)
    assert info.value.rule == "format"


def test_expand_short_code_rejects_bad_structure() -> None:
    with pytest.raises(InvalidAreaCode) as info:
        expand_short_code("410001")
    assert info.value.rule == "structure"


@given(valid_codes())
def test_expand_short_code_round_trips_significant_prefix(code: str) -> None:
    prefix = significant_prefix(code)
    if prefix:
        assert expand_short_code(prefix) == code
    assert expand_short_code(code) == code
