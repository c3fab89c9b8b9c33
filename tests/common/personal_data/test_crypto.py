import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.personal_data import DecryptionError, Keyring, generate_key_setting

OLD_KEY = bytes(range(32))
NEW_KEY = bytes(range(100, 132))


def keyring() -> Keyring:
    return Keyring({"k2026a": NEW_KEY, "k2025": OLD_KEY}, "k2026a")


@given(st.text())
def test_round_trip(plaintext: str) -> None:
    ring = keyring()
    assert ring.decrypt(ring.encrypt(plaintext)) == plaintext


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)), st.binary())
def test_round_trip_chinese_with_associated_data(plaintext: str, associated_data: bytes) -> None:
    ring = keyring()
    assert ring.decrypt(ring.encrypt(plaintext, associated_data), associated_data) == plaintext


def test_blob_layout() -> None:
    blob = keyring().encrypt("张三")
    assert blob[0] == 0x01
    assert blob[1] == len("k2026a")
    assert blob[2:8] == b"k2026a"
    # 12-byte nonce, then the ciphertext of the 6 UTF-8 bytes and a 16-byte tag.
    assert len(blob) == 8 + 12 + 6 + 16
    assert Keyring.key_id_of(blob) == "k2026a"


def test_same_plaintext_gives_different_blobs() -> None:
    ring = keyring()
    blobs = {ring.encrypt("11010519491231002X") for _ in range(20)}
    assert len(blobs) == 20


def test_tampering_with_any_byte_fails() -> None:
    ring = keyring()
    blob = ring.encrypt("11010519491231002X", b"households.id_number")
    for index in range(len(blob)):
        for flip in (0x01, 0x80, 0xFF):
            tampered = bytearray(blob)
            tampered[index] ^= flip
            with pytest.raises(DecryptionError):
                ring.decrypt(bytes(tampered), b"households.id_number")


@given(st.data())
def test_tampering_property(data: st.DataObject) -> None:
    ring = keyring()
    blob = ring.encrypt(data.draw(st.text()))
    index = data.draw(st.integers(min_value=0, max_value=len(blob) - 1))
    flip = data.draw(st.integers(min_value=1, max_value=255))
    tampered = bytearray(blob)
    tampered[index] ^= flip
    with pytest.raises(DecryptionError):
        ring.decrypt(bytes(tampered))


def test_truncated_or_extended_blob_fails() -> None:
    ring = keyring()
    blob = ring.encrypt("x")
    for length in range(len(blob)):
        with pytest.raises(DecryptionError):
            ring.decrypt(blob[:length])
    with pytest.raises(DecryptionError):
        ring.decrypt(blob + b"\x00")


def test_wrong_associated_data_fails() -> None:
    ring = keyring()
    blob = ring.encrypt("13812345678", b"members.phone")
    with pytest.raises(DecryptionError):
        ring.decrypt(blob, b"members.id_number")
    with pytest.raises(DecryptionError):
        ring.decrypt(blob)


def test_rotation_keeps_old_blobs_readable() -> None:
    old_ring = Keyring({"k2025": OLD_KEY}, "k2025")
    old_blob = old_ring.encrypt("11010519491231002X")
    new_ring = keyring()
    assert new_ring.decrypt(old_blob) == "11010519491231002X"
    assert Keyring.key_id_of(old_blob) == "k2025"
    assert Keyring.key_id_of(new_ring.encrypt("11010519491231002X")) == "k2026a"


def test_unknown_key_id_fails() -> None:
    blob = keyring().encrypt("secret")
    with pytest.raises(DecryptionError, match="unknown key id"):
        Keyring({"k2024": OLD_KEY}, "k2024").decrypt(blob)


def test_same_key_id_with_another_key_fails() -> None:
    blob = keyring().encrypt("secret")
    with pytest.raises(DecryptionError):
        Keyring({"k2026a": OLD_KEY}, "k2026a").decrypt(blob)


@pytest.mark.parametrize(
    "blob", [b"", b"\x01", b"\x02\x01a" + bytes(28), b"\x01\x01" + b"\xff" + bytes(28)]
)
def test_key_id_of_malformed_blob(blob: bytes) -> None:
    with pytest.raises(DecryptionError):
        Keyring.key_id_of(blob)


def test_decryption_error_is_a_value_error() -> None:
    assert issubclass(DecryptionError, ValueError)


def test_from_setting_first_key_is_current() -> None:
    setting = f"{generate_key_setting('k2026a')}, {generate_key_setting('k2025')}"
    ring = Keyring.from_setting(setting)
    assert ring.current_key_id == "k2026a"
    assert Keyring.from_setting(setting, "k2025").current_key_id == "k2025"


def test_from_setting_accepts_standard_and_urlsafe_base64() -> None:
    key = bytes([0xFB, 0xFF] * 16)  # encodes with '+' and '/' in the standard alphabet
    standard = base64.b64encode(key).decode()
    urlsafe = base64.urlsafe_b64encode(key).decode().rstrip("=")
    assert "+" in standard or "/" in standard
    blob = Keyring.from_setting(f"a:{standard}").encrypt("x")
    assert Keyring.from_setting(f"a:{urlsafe}").decrypt(blob) == "x"


def test_generate_key_setting() -> None:
    key_id, _, encoded = generate_key_setting("k2027").partition(":")
    assert key_id == "k2027"
    assert len(base64.b64decode(encoded, validate=True)) == 32
    assert generate_key_setting("k2027") != generate_key_setting("k2027")
    with pytest.raises(ValueError):
        generate_key_setting("bad id")


GOOD = base64.b64encode(bytes(32)).decode()


@pytest.mark.parametrize(
    ("setting", "current"),
    [
        ("", None),
        ("k1", None),
        (GOOD, None),  # no key id
        (f":{GOOD}", None),
        ("k1:not base64!", None),
        (f"k1:{base64.b64encode(bytes(16)).decode()}", None),  # AES-128 key
        (f"k1:{base64.b64encode(bytes(33)).decode()}", None),
        (f"k 1:{GOOD}", None),
        (f"{'k' * 33}:{GOOD}", None),
        (f"k1:{GOOD},k1:{GOOD}", None),
        (f"k1:{GOOD},", None),
        (f"k1:{GOOD}", "k2"),
    ],
)
def test_bad_settings(setting: str, current: str | None) -> None:
    with pytest.raises(ValueError):
        Keyring.from_setting(setting, current)


def test_bad_keyring_arguments() -> None:
    with pytest.raises(ValueError):
        Keyring({}, "k1")
    with pytest.raises(ValueError):
        Keyring({"k1": bytes(31)}, "k1")
    with pytest.raises(ValueError):
        Keyring({"k1/": bytes(32)}, "k1/")
    with pytest.raises(ValueError):
        Keyring({"k1": bytes(32)}, "k2")


def test_repr_hides_keys() -> None:
    assert repr(keyring()) == "Keyring(key_ids=['k2025', 'k2026a'], current='k2026a')"


def test_bulk_encryptor_makes_blobs_that_decrypt_like_encrypt() -> None:
    keyring = Keyring.from_setting(generate_key_setting("k1"))
    encrypt = keyring.bulk_encryptor(b"person_number")
    blobs = [encrypt(f"11010519491231002{n % 10}".encode()) for n in range(5000)]
    assert [keyring.decrypt(blob, b"person_number") for blob in blobs[:3]] == [
        "110105194912310020",
        "110105194912310021",
        "110105194912310022",
    ]
    assert Keyring.key_id_of(blobs[-1]) == "k1"
    # Fresh nonces across the batch boundary of 4,096.
    assert len({blob[4:16] for blob in blobs}) == len(blobs)
    with pytest.raises(DecryptionError):
        keyring.decrypt(blobs[0], b"phone")
