"""Every check of an import row, in field order, and what an accepted row becomes: the rows of
`members` and `changes` encoded for COPY, and the chunk's households.

`rows.RowParser` builds on this: it first tries each row on its fast path and sends here only
a row with a value not seen before (`_checked_row`), which names the first problem exactly as
the rules say and then remembers the values it accepted for the fast path. Both paths write
an accepted row the same way (`_emit`).
"""

from __future__ import annotations

import datetime
import struct
from typing import Any

from services.common.copy_binary import binary, boolean, smallint, text
from services.common.personal_data import (
    BlindIndex,
    InvalidPersonNumber,
    InvalidPhone,
    Keyring,
    mask_person_number,
    mask_phone,
    normalize_phone,
    parse_person_number,
)
from services.common.personal_data.protector import PERSON_NUMBER as NUMBER_PURPOSE
from services.common.personal_data.protector import PHONE
from services.monitoring.households.circumstances import MEMBER_CIRCUMSTANCES
from services.monitoring.imports import encoding, records
from services.monitoring.imports import fields as check
from services.monitoring.imports.chunk_households import ChunkHousehold
from services.monitoring.imports.chunks import ChunkResult, ParserContext
from services.monitoring.imports.fields import FLAGS, RowProblem
from services.monitoring.imports.ids import UuidSeven

_CODE_LISTS = (
    "household_kind",
    "relationship",
    "education",
    "student_status",
    "health",
    "labour_ability",
)
_MEMBER_CODES = (
    ("education", "education"),
    ("student_status", "student_status"),
    ("health", "health"),
    ("labour_ability", "labour_ability"),
)
# Where the values of a row are, in FIELDS order.
HOUSEHOLD = slice(0, 5)
PERSON_NUMBER, NAME, RELATIONSHIP = 5, 6, 7
REST = slice(8, 8 + len(MEMBER_CIRCUMSTANCES))  # the member's circumstances
WORK_MONTHS = MEMBER_CIRCUMSTANCES.index("work_months")  # within REST; the flags follow it
_CHINA = datetime.timezone(datetime.timedelta(hours=8))
# Caches of checked values stop growing here (a file of unusual variety just takes longer).
CACHE_LIMIT = 200_000
length = struct.Struct("!i").pack
_MASKED_LENGTH = length(18)
KINDS = {kind: text(kind) for kind in ("resident_id", "disability_certificate")}
SEXES = {"male": text("male"), "female": text("female")}


class CheckedRows:
    """The caches of one import's parser, the full checks, and the writing of accepted rows."""

    def __init__(self, context: ParserContext) -> None:
        self.context = context
        keyring = Keyring.from_setting(context.data_keys, context.data_key_current)
        # Values reach both already canonical (a parsed ID number, a normalized phone).
        self._digest = BlindIndex.from_setting(context.blind_index_key).bulk_digester()
        self._encrypt_number = keyring.bulk_encryptor(NUMBER_PURPOSE)
        self._encrypt_phone = keyring.bulk_encryptor(PHONE)
        self.codes = {name: context.codes.get(name, frozenset()) for name in _CODE_LISTS}
        self._ids = UuidSeven()
        self._villages: dict[str, tuple[str, str, str] | None] = {}
        # Checked values and their encoding, by the raw values of a row.
        self._rests: dict[tuple[Any, ...], bytes] = {}
        self._relationships: dict[str, tuple[bytes, bool]] = {}
        self._rest_values: list[dict[Any, bytes]] = [{} for _ in range(10)]
        self._births: dict[str, bytes] = {}  # digits 7-14 of an ID number
        # The day in China, as the ID number checks take it (an import within one day).
        self._today = datetime.datetime.now(_CHINA).date()
        self._regions: set[str] = set()  # digits 1-6 of ID numbers accepted
        # Accepted villages and kinds, each value as one object (shared by the chunk's
        # households, so it crosses to the app once).
        self._valid_villages: dict[str, str] = {}
        self._kinds = {kind: kind for kind in self.codes["household_kind"]}
        self._pick = records.picker(context.columns)
        # Per chunk.
        self._households: dict[str, ChunkHousehold] = {}
        self._household_keys: dict[tuple[Any, ...], tuple[ChunkHousehold, tuple[str | None, ...]]]
        self._household_keys = {}
        self._members, self._changes = bytearray(), bytearray()

    def _emit(
        self,
        number: int,
        household: ChunkHousehold,
        agreeing: tuple[str | None, ...],
        person_number: str,
        kind: bytes,
        sex: bytes,
        born: bytes,
        name: str,
        name_bytes: bytes,
        relationship: tuple[bytes, bool],
        rest: bytes,
        result: ChunkResult,
    ) -> None:
        member_id, member_id_text = self._ids.next_with_text()
        area = household.area
        plain = person_number.encode("ascii")
        # Indexed on the 18-character resident ID (Protector.person_number_index).
        index = self._digest(plain[:18])
        cipher = self._encrypt_number(plain)
        encoded_relationship, is_head = relationship
        members = self._members
        members += b"".join(
            (
                encoding.MEMBER_START,
                household.id,
                encoding.MEMBER_ID,
                member_id,
                area,
                binary(cipher),
                encoding.INDEX_LENGTH,
                index,
                _masked(person_number),
                kind,
                length(len(name_bytes)) + name_bytes,
                sex,
                born,
                encoded_relationship,
                rest,
            )
        )
        result.member_ends.append(len(members))
        self._changes += encoding.member_change(member_id_text, area)
        position = len(result.row)
        result.row.append(number)
        result.person_index.append(index)
        result.head.append(is_head)
        household.positions.append(position)
        if is_head:
            household.heads += 1
            if household.head_name is None:
                household.head_name = name
        if agreeing is not household.agreeing:
            result.disagreeing[position] = agreeing
            result.disagreeing_households.add(household.ordinal)

    # Every check, in field order ---------------------------------------------------------------

    def _checked_row(self, number: int, values: Any, result: ChunkResult) -> None:
        if isinstance(values, RowProblem):
            raise values
        codes = self.codes
        household_number = check.required(values[0], "household_number")
        village = check.required(values[1], "village")
        if village not in self._villages:
            self._villages[village] = check.village_problem(village, self.context.scope_area)
        problem = self._villages[village]
        if problem is not None:
            raise RowProblem(*problem)
        kind = check.required(values[2], "kind")
        check.code(codes, kind, "kind", "household_kind")
        address = check.text_field(values[3], "address")
        phone = check.text_field(values[4], "phone")
        if phone is not None:
            try:
                phone = normalize_phone(phone)
            except InvalidPhone as exc:
                raise RowProblem("phone", exc.rule, exc.message) from None

        try:
            raw_number = check.required(values[PERSON_NUMBER], "person_number")
            person = parse_person_number(raw_number)
        except InvalidPersonNumber as exc:
            raise RowProblem("person_number", exc.rule, exc.message) from None
        name = check.required(values[NAME], "name")
        relationship = check.required(values[RELATIONSHIP], "relationship")
        check.code(codes, relationship, "relationship", "relationship")
        rest = values[REST]
        member_codes = [
            check.code(codes, check.text_field(value, name_), name_, list_name)
            for value, (name_, list_name) in zip(rest, _MEMBER_CODES, strict=False)
        ]
        work_place = check.text_field(rest[4], "work_place")
        work_months = check.work_months(rest[5])
        flags = [check.flag(value, name_) for value, name_ in zip(rest[6:], FLAGS, strict=True)]

        household, agreeing = self._household(household_number, (village, kind, address, phone))
        encoded = [
            *(text(code) for code in member_codes),
            text(work_place),
            smallint(work_months),
            *(boolean(flag) for flag in flags),
        ]
        encoded_rest = b"".join((*encoded, encoding.MEMBER_END))
        encoded_relationship = (text(relationship), relationship == "head")
        born = encoding.birth_date(person.birth_date)
        # Remember what was accepted, by the raw values (text only: JSON's 1 and true are equal
        # keys in a dict but not equally valid).
        if _all_text(values[HOUSEHOLD]):
            self._household_keys[values[HOUSEHOLD]] = (household, agreeing)
            if values[1] == village:
                self._valid_villages[village] = village
        # Text values by themselves; from JSON, flags (where 1 and true mean the same) and
        # whole months as (int, n).
        for column, (value, accepted, encoded_value) in enumerate(
            zip(rest, self._rest_values, encoded, strict=True)
        ):
            if len(accepted) >= CACHE_LIMIT:
                continue
            if value is None or value.__class__ is str:
                accepted[value] = encoded_value
            elif column == WORK_MONTHS and value.__class__ is int:
                accepted[int, value] = encoded_value
            elif column > WORK_MONTHS and value.__class__ is bool:
                accepted[value] = encoded_value
        if values[RELATIONSHIP].__class__ is str:
            self._relationships[values[RELATIONSHIP]] = encoded_relationship
        if len(self._births) < CACHE_LIMIT:
            self._births[person.resident_id[6:14]] = born
        self._regions.add(person.region_code)
        self._emit(
            number, household, agreeing, person.number, KINDS[person.kind], SEXES[person.sex],
            born, name, name.encode("utf-8"), encoded_relationship, encoded_rest, result,
        )  # fmt: skip

    def _household(
        self, number: str, agreeing: tuple[Any, ...]
    ) -> tuple[ChunkHousehold, tuple[str | None, ...]]:
        """The chunk's household of this number (made at its first valid row) and the row's
        household fields (the household's own tuple when they agree)."""
        household = self._households.get(number)
        if household is None:
            household = ChunkHousehold(
                number, len(self._households), *self._ids.next_with_text(), agreeing
            )
            self._households[number] = household
            phone = agreeing[3]
            if phone is not None:
                household.phone = (
                    self._encrypt_phone(phone.encode("ascii")),
                    self._digest(phone.encode("ascii")),
                    mask_phone(phone),
                )
            return household, household.agreeing
        if agreeing == household.agreeing:
            return household, household.agreeing
        return household, agreeing


def _masked(person_number: str) -> bytes:
    if len(person_number) == 18:
        return _MASKED_LENGTH + (person_number[:6] + "********" + person_number[14:]).encode()
    return text(mask_person_number(person_number))


def _all_text(values: tuple[Any, ...]) -> bool:
    return all(value is None or value.__class__ is str for value in values)
