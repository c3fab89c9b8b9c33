import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.personal_data import InvalidPhone, normalize_phone


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086-138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("19912345678", "19912345678"),
        ("0371-2345678", "03712345678"),
        ("0371-12345678", "037112345678"),
        ("010 1234 5678", "01012345678"),
        ("+86 371 1234 5678", "037112345678"),
        ("+86 10 1234 5678", "01012345678"),
        ("+86 20 1234 5678", "02012345678"),
        ("0086 0371 1234 5678", "037112345678"),
    ],
)
def test_valid_phones(raw: str, normalized: str) -> None:
    assert normalize_phone(raw) == normalized


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "+86",
        "12812345678",  # 12x is not a mobile prefix
        "1381234567",
        "138123456789",
        "8613812345678",  # a bare 86 is not taken as the country code
        "+1 415 555 0100",
        "0371-12345",  # too short for any area code
        "0371-123456789",  # local number too long
        "0012345678",  # no area code starts with 0: 00 dials abroad
        "0086 0000 00",  # the country code, then no number
        "(0371) 12345678",
        "138 1234 567x",
        "٠٣٧١١٢٣٤٥٦٧٨",
    ],
)
def test_invalid_phones(raw: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(raw)
    assert caught.value.rule == "format"
    assert "format" in caught.value.message
    assert isinstance(caught.value, ValueError)


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.sampled_from(["", "+86", "0086", "+86 ", "0086-"]),
    st.lists(st.sampled_from([" ", "-"]), min_size=11, max_size=11),
)
def test_mobile_with_prefix_and_separators(digits: str, prefix: str, separators: list[str]) -> None:
    raw = prefix + "".join(d + s for d, s in zip(digits, separators, strict=True))
    assert normalize_phone(raw) == digits


@given(st.from_regex(r"0[1-9][0-9]{1,2}[0-9]{7,8}", fullmatch=True))
def test_landlines_round_trip(digits: str) -> None:
    assert normalize_phone(digits) == digits
    assert normalize_phone(digits[:4] + "-" + digits[4:]) == digits
