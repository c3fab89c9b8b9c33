import base64
import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from services.common.personal_data import BlindIndex

KEY = bytes(range(32))


def test_deterministic_32_bytes() -> None:
    first = BlindIndex(KEY).digest("11010519491231002X")
    assert first == BlindIndex(KEY).digest("11010519491231002X")
    assert len(first) == 32


def test_different_keys_give_different_digests() -> None:
    other = BlindIndex(bytes(range(1, 33)))
    assert BlindIndex(KEY).digest("11010519491231002X") != other.digest("11010519491231002X")


def test_lowercase_x_full_width_and_surrounding_spaces_match() -> None:
    index = BlindIndex(KEY)
    expected = index.digest("11010519491231002X")
    assert index.digest("11010519491231002x") == expected
    assert index.digest(" 11010519491231002X\t") == expected
    assert index.digest("１１０１０５１９４９１２３１００２ｘ") == expected


def test_different_values_differ() -> None:
    index = BlindIndex(KEY)
    assert index.digest("11010519491231002X") != index.digest("360426199101010071")


@given(st.text(), st.text())
def test_distinct_values_give_distinct_digests(first: str, second: str) -> None:
    def canonical(value: str) -> str:
        return unicodedata.normalize("NFKC", value).strip().upper()

    assume(canonical(first) != canonical(second))
    index = BlindIndex(KEY)
    assert index.digest(first) != index.digest(second)


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError):
        BlindIndex(bytes(31))


def test_from_setting() -> None:
    key = bytes([0xFB, 0xFF] * 16)
    expected = BlindIndex(key).digest("13812345678")
    assert BlindIndex.from_setting(base64.b64encode(key).decode()).digest("13812345678") == expected
    urlsafe = base64.urlsafe_b64encode(key).decode().rstrip("=")
    assert BlindIndex.from_setting(urlsafe).digest("13812345678") == expected
    with pytest.raises(ValueError):
        BlindIndex.from_setting(base64.b64encode(bytes(16)).decode())
    with pytest.raises(ValueError):
        BlindIndex.from_setting("not base64!")


def test_repr_hides_key() -> None:
    assert repr(BlindIndex(KEY)) == "BlindIndex(key=<hidden>)"


def test_bulk_digester_gives_the_same_digests() -> None:
    for key in (b"k" * 32, b"a much longer key than one sha-256 block of sixty-four bytes ....."):
        index = BlindIndex(key)
        digest = index.bulk_digester()
        for value in ("110105194912310021", "13812345678", "王"):
            assert digest(value.encode("utf-8")) == index.digest_canonical(value)
