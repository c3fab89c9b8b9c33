"""Personal data: validating, encrypting, blind-indexing and masking ID and phone numbers."""

from services.common.personal_data.blind_index import BlindIndex
from services.common.personal_data.crypto import DecryptionError, Keyring, generate_key_setting
from services.common.personal_data.id_numbers import (
    InvalidPersonNumber,
    PersonNumber,
    PersonNumberKind,
    PersonNumberRule,
    is_valid_person_number,
    normalize_person_number,
    parse_person_number,
)
from services.common.personal_data.masking import mask_name, mask_person_number, mask_phone
from services.common.personal_data.phones import InvalidPhone, normalize_phone
from services.common.personal_data.protector import Protected, ProtectedPersonNumber, Protector

__all__ = [
    "BlindIndex",
    "DecryptionError",
    "InvalidPersonNumber",
    "InvalidPhone",
    "Keyring",
    "PersonNumber",
    "PersonNumberKind",
    "PersonNumberRule",
    "Protected",
    "ProtectedPersonNumber",
    "Protector",
    "generate_key_setting",
    "is_valid_person_number",
    "mask_name",
    "mask_person_number",
    "mask_phone",
    "normalize_person_number",
    "normalize_phone",
    "parse_person_number",
]
