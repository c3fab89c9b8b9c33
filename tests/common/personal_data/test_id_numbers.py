import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import numdb

from services.common.personal_data import (
    InvalidPersonNumber,
    PersonNumberRule,
    is_valid_person_number,
    normalize_person_number,
    parse_person_number,
)

CHECK_CHARACTERS = "0123456789X"
TODAY = datetime.date.today()


def with_check_digit(first_17: str) -> str:
    """GB 11643-1999 ISO 7064 MOD 11-2, written out independently of stdnum to cross-check it."""
    total = sum(int(digit) * (2 ** (17 - i) % 11) for i, digit in enumerate(first_17))
    return first_17 + CHECK_CHARACTERS[(12 - total % 11) % 11]


def assert_broken(raw: str, rule: PersonNumberRule) -> None:
    with pytest.raises(InvalidPersonNumber) as caught:
        parse_person_number(raw)
    assert caught.value.rule == rule
    assert rule in caught.value.message
    # Messages end up in logs and responses, so they must not echo the number.
    if raw:
        assert normalize_person_number(raw) not in caught.value.message
    assert not is_valid_person_number(raw)


def test_own_check_digit_matches_known_numbers() -> None:
    assert with_check_digit("11010519491231002") == "11010519491231002X"
    assert with_check_digit("36042619910101007") == "360426199101010071"


@pytest.mark.parametrize(
    ("number", "birth_date", "sex", "region_code"),
    [
        ("11010519491231002X", datetime.date(1949, 12, 31), "female", "110105"),
        ("360426199101010071", datetime.date(1991, 1, 1), "male", "360426"),
        (with_check_digit("41152720000229123"), datetime.date(2000, 2, 29), "male", "411527"),
        (with_check_digit("44030520101010004"), datetime.date(2010, 10, 10), "female", "440305"),
    ],
)
def test_valid_resident_ids_parse(
    number: str, birth_date: datetime.date, sex: str, region_code: str
) -> None:
    parsed = parse_person_number(number)
    assert parsed.number == number
    assert parsed.kind == "resident_id"
    assert parsed.resident_id == number
    assert parsed.birth_date == birth_date
    assert parsed.sex == sex
    assert parsed.region_code == region_code
    assert is_valid_person_number(number)


def test_lowercase_x_whitespace_and_full_width_digits_are_normalized() -> None:
    assert normalize_person_number(" 11010519491231002x\n") == "11010519491231002X"
    assert parse_person_number("11010519491231002x").number == "11010519491231002X"
    assert parse_person_number("110105 19491231 002x").number == "11010519491231002X"
    assert (
        parse_person_number("１１０１０５１９４９１２３１００２ｘ").number == "11010519491231002X"
    )


def test_wrong_check_digit() -> None:
    assert_broken("110105194912310021", "check_digit")
    assert_broken("360426199101010072", "check_digit")


@pytest.mark.parametrize(
    "first_17",
    [
        "11010519900230001",  # 30 February
        "11010519901301001",  # month 13
        "11010519900100001",  # day 0
        "11010519010229001",  # 1901 was not a leap year
        "11010529990101001",  # far future
        f"110105{TODAY + datetime.timedelta(days=2):%Y%m%d}001",  # tomorrow even in UTC+8
        "99999929990101001",  # the date is judged before the region
    ],
)
def test_impossible_or_future_birth_date(first_17: str) -> None:
    assert_broken(with_check_digit(first_17), "birth_date")


def test_birth_date_today_is_accepted() -> None:
    # Local "today" may be a day behind China's, never ahead of it by more than that.
    yesterday = TODAY - datetime.timedelta(days=1)
    number = with_check_digit(f"110105{yesterday:%Y%m%d}001")
    assert parse_person_number(number).birth_date == yesterday


@pytest.mark.parametrize(
    "first_17",
    [
        "99999919900101001",  # no such province
        "00000019900101001",
        "11019919900101001",  # known province, unknown county: stdnum raises KeyError here
    ],
)
def test_unknown_region(first_17: str) -> None:
    assert_broken(with_check_digit(first_17), "region")


def test_region_known_for_the_birth_year_is_accepted() -> None:
    assert parse_person_number(with_check_digit("11011820160101001")).region_code == "110118"
    assert parse_person_number(with_check_digit("11010320090101001")).region_code == "110103"


def test_region_created_after_the_birth_or_since_merged_is_accepted() -> None:
    # Registered late in 密云区 (code 110118 since 2015), born 1990.
    assert parse_person_number(with_check_digit("11011819900101001")).region_code == "110118"
    # A card of 崇文区 (110103, merged into 东城区 in 2010) for someone born after the merger.
    assert parse_person_number(with_check_digit("11010320150101001")).region_code == "110103"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1101051949123100",  # 16
        "11010519491231002",  # 17
        "11010519491231002X1",  # 19
        "11010519491231002X123",  # 21
        "11010519491231002X11B12",  # 23
        "1101051949123100XX",  # X before the check position
        "11010519491231002A",
        "11010A19491231002X",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits are not ASCII digits even after NFKC
        "11010519491231002X1B",  # category digit must be a digit
        "11010519491231002X11B0",  # reissue count starts at 1
        "11010519491231002X11C1",
        "11010519491231002X11BX",
    ],
)
def test_malformed(raw: str) -> None:
    assert_broken(raw, "format")


@pytest.mark.parametrize(("category", "level"), [(c, v) for c in "1234567" for v in "1234"])
def test_disability_certificate_20_chars(category: str, level: str) -> None:
    parsed = parse_person_number(f"11010519491231002x{category}{level}")
    assert parsed.number == f"11010519491231002X{category}{level}"
    assert parsed.kind == "disability_certificate"
    assert parsed.resident_id == "11010519491231002X"
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.sex == "female"
    assert parsed.region_code == "110105"


@pytest.mark.parametrize("reissue", "123456789")
def test_disability_certificate_22_chars(reissue: str) -> None:
    parsed = parse_person_number(f"36042619910101007171b{reissue}")
    assert parsed.number == f"36042619910101007171B{reissue}"
    assert parsed.kind == "disability_certificate"
    assert parsed.resident_id == "360426199101010071"
    assert parsed.sex == "male"


@pytest.mark.parametrize("category", "089")
def test_disability_category_out_of_range(category: str) -> None:
    assert_broken(f"11010519491231002X{category}1", "disability_category")
    assert_broken(f"11010519491231002X{category}1B1", "disability_category")


@pytest.mark.parametrize("level", "056789")
def test_disability_level_out_of_range(level: str) -> None:
    assert_broken(f"11010519491231002X1{level}", "disability_level")
    assert_broken(f"11010519491231002X1{level}B2", "disability_level")


def test_disability_certificate_needs_a_valid_resident_id() -> None:
    assert_broken("11010519491231002111", "check_digit")
    assert_broken(with_check_digit("11010519900230001") + "11B1", "birth_date")
    assert_broken(with_check_digit("99999919900101001") + "11", "region")


def _year_ranges(county: str) -> list[tuple[int, int]]:
    """Years a county code was assigned, from stdnum's `[start-end]name,...` notation."""
    first_year, last_year = 1900, TODAY.year - 1
    ranges = []
    for entry in county.split(","):
        start, end = first_year, last_year
        if entry.startswith("["):
            low, high = entry[1:].split("]")[0].split("-")
            start = max(start, int(low)) if low else start
            end = min(end, int(high)) if high else end
        if start <= end:
            ranges.append((start, end))
    return ranges


def _regions() -> list[tuple[str, int, int]]:
    regions = []
    for _, province, _, _, counties in numdb.get("cn/loc").prefixes:
        for _, county_code, _, props, _ in counties:
            for start, end in _year_ranges(props["county"]):
                regions.append((province + county_code, start, end))
    return regions


REGIONS = _regions()


@st.composite
def resident_ids(draw: st.DrawFn) -> tuple[str, str, datetime.date, str]:
    region, start, end = draw(st.sampled_from(REGIONS))
    birth_date = draw(
        st.dates(min_value=datetime.date(start, 1, 1), max_value=datetime.date(end, 12, 31))
    )
    sequence = draw(st.integers(min_value=0, max_value=999))
    number = with_check_digit(f"{region}{birth_date:%Y%m%d}{sequence:03d}")
    return number, region, birth_date, "male" if sequence % 2 else "female"


def test_region_data_is_large() -> None:
    assert len(REGIONS) > 3000


@given(resident_ids())
def test_numbers_built_from_stdnum_regions_round_trip(
    case: tuple[str, str, datetime.date, str],
) -> None:
    number, region, birth_date, sex = case
    parsed = parse_person_number(number.lower())
    assert parsed.number == number
    assert parsed.resident_id == number
    assert parsed.region_code == region
    assert parsed.birth_date == birth_date
    assert parsed.sex == sex


@given(resident_ids(), st.sampled_from(CHECK_CHARACTERS))
def test_any_other_check_character_fails(
    case: tuple[str, str, datetime.date, str], replacement: str
) -> None:
    number = case[0]
    if replacement == number[-1]:
        replacement = CHECK_CHARACTERS[(CHECK_CHARACTERS.index(replacement) + 1) % 11]
    assert_broken(number[:-1] + replacement, "check_digit")
