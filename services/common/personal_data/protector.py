"""Turning personal data into what is stored: ciphertext, blind index and masked form.

The associated data binds each ciphertext to its purpose, so a ciphertext copied into another
column (a phone into an ID number, say) does not decrypt.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.personal_data.blind_index import BlindIndex
from services.common.personal_data.crypto import Keyring
from services.common.personal_data.id_numbers import PersonNumber, parse_person_number
from services.common.personal_data.masking import mask_person_number, mask_phone
from services.common.personal_data.phones import normalize_phone

PERSON_NUMBER = b"person_number"
PHONE = b"phone"


@dataclass(frozen=True)
class Protected:
    """A value as stored: encrypted, blind-indexed and masked."""

    cipher: bytes
    index: bytes
    masked: str


@dataclass(frozen=True)
class ProtectedPersonNumber(Protected):
    parsed: PersonNumber


class Protector:
    def __init__(self, keyring: Keyring, blind_index: BlindIndex) -> None:
        self.keyring = keyring
        self.blind_index = blind_index

    def person_number(self, raw: str) -> ProtectedPersonNumber:
        """Validate (raises InvalidPersonNumber) and protect an ID or certificate number."""
        parsed = parse_person_number(raw)
        return ProtectedPersonNumber(
            cipher=self.keyring.encrypt(parsed.number, PERSON_NUMBER),
            index=self.person_number_index(parsed.number),
            masked=mask_person_number(parsed.number),
            parsed=parsed,
        )

    def person_number_index(self, number: str) -> bytes:
        """The blind index of a person number, for exact look-ups.

        Indexed on the 18-character resident ID, so a disability certificate number finds the
        same person as the ID card."""
        return self.blind_index.digest(number[:18])

    def phone(self, raw: str) -> Protected:
        """Validate (raises InvalidPhone) and protect a phone number."""
        number = normalize_phone(raw)
        return Protected(
            cipher=self.keyring.encrypt(number, PHONE),
            index=self.blind_index.digest(number),
            masked=mask_phone(number),
        )

    def reveal_person_number(self, cipher: bytes) -> str:
        return self.keyring.decrypt(cipher, PERSON_NUMBER)

    def reveal_phone(self, cipher: bytes) -> str:
        return self.keyring.decrypt(cipher, PHONE)
