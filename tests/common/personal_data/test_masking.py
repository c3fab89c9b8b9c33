import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.personal_data import mask_name, mask_person_number, mask_phone


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("11010519491231002X11B1", "110105************11B1"),
        ("12345678901", "123456*8901"),
        ("1234567890", "**********"),
        ("", ""),
    ],
)
def test_mask_person_number(value: str, masked: str) -> None:
    assert mask_person_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("037112345678", "037*****5678"),
        ("12345678", "123*5678"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("张三", "张*"), ("欧阳锋", "欧*锋"), ("欧阳娜娜", "欧**娜"), ("王", "*"), ("", "")],
)
def test_mask_name(value: str, masked: str) -> None:
    assert mask_name(value) == masked


def assert_masked(value: str, masked: str, head: int, tail: int) -> None:
    assert len(masked) == len(value)
    if len(value) <= head + tail:
        assert masked == "*" * len(value)
        return
    assert masked[:head] == value[:head]
    assert masked[-tail:] == value[-tail:]
    assert masked[head:-tail] == "*" * (len(value) - head - tail)


@given(st.text())
def test_person_number_mask_property(value: str) -> None:
    assert_masked(value, mask_person_number(value), head=6, tail=4)


@given(st.text())
def test_phone_mask_property(value: str) -> None:
    assert_masked(value, mask_phone(value), head=3, tail=4)


@given(st.text(min_size=3))
def test_name_mask_property(value: str) -> None:
    assert_masked(value, mask_name(value), head=1, tail=1)


@given(st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True))
def test_masked_resident_id_never_shows_birth_date_and_sequence(value: str) -> None:
    masked = mask_person_number(value)
    assert value[6:14] not in masked
    assert value[6:14] + value[14] not in masked


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_masked_mobile_never_shows_middle_digits(value: str) -> None:
    masked = mask_phone(value)
    assert masked[3:7] == "****"
    assert len(masked) == 11
