"""Keyed hashes of personal data for exact matching and de-duplication without decrypting."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable

from services.common.personal_data._base64 import decode_base64_key

_MIN_KEY_BYTES = 32
_BLOCK_BYTES = 64  # SHA-256's block size


class BlindIndex:
    """HMAC-SHA256 under a secret key: equal values give equal digests, nothing else leaks."""

    def __init__(self, key: bytes) -> None:
        """Use `key` (at least 32 bytes); it must differ from every encryption key."""
        if not isinstance(key, bytes) or len(key) < _MIN_KEY_BYTES:
            raise ValueError(f"a blind index key must be at least {_MIN_KEY_BYTES} bytes")
        self._key = key
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)  # copied by digest_canonical

    @classmethod
    def from_setting(cls, value: str) -> BlindIndex:
        """Build from a base64 key (standard or URL-safe), as in `BLIND_INDEX_KEY`."""
        return cls(decode_base64_key(value))

    def digest(self, value: str) -> bytes:
        """The 32-byte HMAC-SHA256 of `value` after NFKC, stripping and upper-casing.

        The normalization only absorbs slips (full-width digits, a lowercase 'x' check
        character, stray spaces at the ends); callers still pass normalized values, e.g. from
        `normalize_person_number` or `normalize_phone`.
        """
        return self.digest_canonical(unicodedata.normalize("NFKC", value).strip().upper())

    def digest_canonical(self, canonical: str) -> bytes:
        """`digest` of a value already in canonical form (NFKC, stripped, upper case, as a parsed
        person number is): the same bytes, without normalizing again and from an HMAC keyed
        once, for bulk paths (keying a new HMAC is most of the cost of a digest)."""
        mac = self._keyed.copy()
        mac.update(canonical.encode("utf-8"))
        return mac.digest()

    def bulk_digester(self) -> Callable[[bytes], bytes]:
        """`digest_canonical` for bulk paths, taking the canonical value's UTF-8 bytes: the same
        HMAC-SHA256 (RFC 2104) computed from SHA-256 states keyed once, with no Python-level
        HMAC object per value."""
        block = self._key if len(self._key) <= _BLOCK_BYTES else hashlib.sha256(self._key).digest()
        block = block.ljust(_BLOCK_BYTES, b"\0")
        inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in block))
        outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in block))
        copy_inner, copy_outer = inner.copy, outer.copy

        def digest(canonical: bytes) -> bytes:
            mac = copy_inner()
            mac.update(canonical)
            result = copy_outer()
            result.update(mac.digest())
            return result.digest()

        return digest

    def __repr__(self) -> str:
        return "BlindIndex(key=<hidden>)"
