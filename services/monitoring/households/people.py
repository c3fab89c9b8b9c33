"""Rules about the people in the registry: valid and protected numbers, one household each."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict, InvalidInput
from services.common.personal_data import (
    InvalidPersonNumber,
    InvalidPhone,
    Protected,
    ProtectedPersonNumber,
    Protector,
)
from services.monitoring.codes.book import CodeBook
from services.monitoring.households import repository
from services.monitoring.households.schemas import MemberFields, MemberUpdate

CODED_FIELDS = {
    "relationship": "relationship",
    "education": "education",
    "student_status": "student_status",
    "health": "health",
    "labour_ability": "labour_ability",
}


def protect_number(protector: Protector, raw: str, field: str) -> ProtectedPersonNumber:
    try:
        return protector.person_number(raw)
    except InvalidPersonNumber as error:
        raise InvalidInput.for_field(field, error.rule, error.message) from None


def protect_phone(protector: Protector, raw: str | None, field: str) -> Protected | None:
    if raw is None or not raw.strip():
        return None
    try:
        return protector.phone(raw)
    except InvalidPhone as error:
        raise InvalidInput.for_field(field, "phone_format", error.message) from None


def check_member_codes(book: CodeBook, member: MemberFields | MemberUpdate, prefix: str) -> None:
    for field, list_name in CODED_FIELDS.items():
        book.check(list_name, getattr(member, field), f"{prefix}.{field}")


async def check_not_registered(
    session: AsyncSession, numbers: Sequence[ProtectedPersonNumber], fields: Sequence[str]
) -> None:
    """Each person belongs to one household at a time (409 `person_already_registered`)."""
    registered = await repository.active_members_among(
        session, list({number.index for number in numbers})
    )
    seen: dict[bytes, str] = {}
    for number, field in zip(numbers, fields, strict=True):
        if number.index in seen:
            raise InvalidInput.for_field(
                field, "duplicate_person", f"The same person is also given at {seen[number.index]}."
            )
        seen[number.index] = field
        if number.index in registered:
            raise Conflict(
                "This person is already a member of a household; move them instead.",
                code="person_already_registered",
                extra={"field": field},
            )
