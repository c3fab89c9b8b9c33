"""Turning one chunk of an upload into rows for the real tables: parse, validate, encrypt, encode
for COPY.

This is the CPU-heavy half of an import and runs in a worker (a process, or a thread for small
uploads), so it depends only on the personal-data and area kits: no web framework, no database.
A chunk always ends at a record boundary (`records` reads them); rows are numbered within the
chunk and the caller adds the offset. Rules that need other chunks (duplicates, households
spread over chunks) or the database are decided by the caller (the ledger).

Each row is first tried on a fast path that only looks up values already checked (a county's
rows repeat their codes, villages and household fields) and encodes with bytes kept from
earlier rows; any value not seen before sends the row through every check in field order
(`_checked_row`), which names the first problem exactly as the rules say and then remembers
the values it accepted.
"""

from __future__ import annotations

import datetime
import struct
from typing import Any

from stdnum.cn import ric

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
from services.common.personal_data.protector import PERSON_NUMBER, PHONE
from services.monitoring.households.circumstances import MEMBER_CIRCUMSTANCES
from services.monitoring.imports import encoding, records
from services.monitoring.imports import fields as check
from services.monitoring.imports.chunk_households import ChunkHousehold, finish_households
from services.monitoring.imports.chunks import Chunk, ChunkResult, ParserContext
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
_HOUSEHOLD = slice(0, 5)
_PERSON_NUMBER, _NAME, _RELATIONSHIP = 5, 6, 7
_REST = slice(8, 8 + len(MEMBER_CIRCUMSTANCES))  # the member's circumstances
_WORK_MONTHS = MEMBER_CIRCUMSTANCES.index("work_months")  # within _REST; the flags follow it
# The fields' length limits, for the fast path.
_NUMBER_LIMIT = check.LIMITS["household_number"]
_NAME_LIMIT = check.LIMITS["name"]
_ADDRESS_LIMIT = check.LIMITS["address"]
_PLAIN_LAST = frozenset("0123456789X")
_CHINA = datetime.timezone(datetime.timedelta(hours=8))
# Caches of checked values stop growing here (a file of unusual variety just takes longer).
_CACHE_LIMIT = 200_000
_length = struct.Struct("!i").pack
_MASKED_LENGTH = _length(18)
_KINDS = {kind: text(kind) for kind in ("resident_id", "disability_certificate")}
_SEXES = {"male": text("male"), "female": text("female")}


class RowParser:
    """Parses chunks of one import; holds the caches that make a county's rows cheap."""

    def __init__(self, context: ParserContext) -> None:
        self.context = context
        keyring = Keyring.from_setting(context.data_keys, context.data_key_current)
        # Values reach both already canonical (a parsed ID number, a normalized phone).
        self._digest = BlindIndex.from_setting(context.blind_index_key).bulk_digester()
        self._encrypt_number = keyring.bulk_encryptor(PERSON_NUMBER)
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

    def parse(self, chunk: Chunk) -> ChunkResult:
        result = ChunkResult(number=chunk.number)
        self._households.clear()
        self._household_keys.clear()
        self._members, self._changes = bytearray(), bytearray()
        # NUL characters (raw or as JSON escapes) are refused by the full checks only.
        careful = b"\x00" in chunk.data or b"\\u0000" in chunk.data
        for number, values in records.read(chunk.data, self.context, self._pick, result):
            result.received += 1
            try:
                if careful or not self._fast_row(number, values, result):
                    self._checked_row(number, values, result)
            except RowProblem as problem:
                household = check.household_of(values)
                result.rejected.append(
                    (number, household, problem.field, problem.rule, problem.message)
                )
        result.members, result.member_changes = bytes(self._members), bytes(self._changes)
        finish_households(self._households.values(), result)
        return result

    # The fast path ---------------------------------------------------------------------------

    def _fast_row(self, number: int, values: Any, result: ChunkResult) -> bool:
        """Load a row whose values are all of kinds checked before (False, with nothing done,
        if not)."""
        if values.__class__ is not tuple:
            return False
        try:
            known = self._household_keys.get(values[_HOUSEHOLD])
            rest = self._rests.get(values[_REST])
            relationship = self._relationships.get(values[_RELATIONSHIP])
        except TypeError:  # an unhashable JSON value: the checks will say what is wrong
            return False
        if relationship is None:
            return False
        if rest is None and (rest := self._fast_rest(values[_REST])) is None:
            return False
        name = values[_NAME]
        raw = values[_PERSON_NUMBER]
        if name.__class__ is not str or raw.__class__ is not str:
            return False
        name = name.strip()
        if (
            not name
            or len(name) > _NAME_LIMIT
            or len(raw) != 18
            or not raw.isascii()
            or not raw[:17].isdigit()
            or raw[17] not in _PLAIN_LAST
            or ric.calc_check_digit(raw) != raw[17]
            or raw[:6] not in self._regions
        ):
            return False
        born = self._births.get(raw[6:14]) or self._birth(raw[6:14])
        if born is None:
            return False
        try:
            name_bytes = name.encode("utf-8")
        except UnicodeEncodeError:
            return False
        if known is None:
            agreeing = self._fast_household(values[_HOUSEHOLD])
            if agreeing is None:
                return False
            known = self._household(agreeing[0], agreeing[1:])
            self._household_keys[values[_HOUSEHOLD]] = known
        household, agreeing = known
        sex = _SEXES["male" if raw[16] in "13579" else "female"]
        self._emit(
            number, household, agreeing, raw, _KINDS["resident_id"], sex, born, name, name_bytes,
            relationship, rest, result,
        )  # fmt: skip
        return True

    def _birth(self, digits: str) -> bytes | None:
        """The encoded birth date of digits 7-14 of an ID number (remembered), None when they
        are not a past date (the full checks then name the rule)."""
        try:
            born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            return None
        if born > self._today:
            return None
        encoded = encoding.birth_date(born)
        if len(self._births) < _CACHE_LIMIT:
            self._births[digits] = encoded
        return encoded

    def _fast_household(self, values: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """(number, village, kind, address, phone) of household fields of kinds checked before,
        None when any needs the full checks."""
        number, village, kind, address, phone = values
        try:
            village, kind = self._valid_villages[village], self._kinds[kind]
        except KeyError:
            return None
        if number.__class__ is not str:
            return None
        number = number.strip()
        if not number or len(number) > _NUMBER_LIMIT or not _encodable(number):
            return None
        if address is not None:
            if address.__class__ is not str:
                return None
            address = address.strip() or None
            if address is not None and (len(address) > _ADDRESS_LIMIT or not _encodable(address)):
                return None
        if phone is not None:
            if phone.__class__ is not str:
                return None
            phone = phone.strip() or None
            if phone is not None:
                try:
                    phone = normalize_phone(phone)
                except InvalidPhone:
                    return None
        return number, village, kind, address, phone

    def _fast_rest(self, values: tuple[Any, ...]) -> bytes | None:
        """The encoded education .. extreme_poverty_support, each value one accepted before.
        A whole number of months from JSON is looked up as (int, n): 5.0 and true equal 5 and
        1 as keys, but are not whole numbers of months."""
        parts = []
        for column, (value, accepted) in enumerate(zip(values, self._rest_values, strict=True)):
            if column == _WORK_MONTHS and value.__class__ is int:
                value = (int, value)
            try:
                encoded = accepted.get(value)
            except TypeError:
                return None
            if encoded is None:
                return None
            parts.append(encoded)
        parts.append(encoding.MEMBER_END)
        rest = b"".join(parts)
        months = values[_WORK_MONTHS]
        if len(self._rests) < _CACHE_LIMIT and (months is None or months.__class__ is str):
            self._rests[values] = rest
        return rest

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
                _length(len(name_bytes)) + name_bytes,
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
            raw_number = check.required(values[_PERSON_NUMBER], "person_number")
            person = parse_person_number(raw_number)
        except InvalidPersonNumber as exc:
            raise RowProblem("person_number", exc.rule, exc.message) from None
        name = check.required(values[_NAME], "name")
        relationship = check.required(values[_RELATIONSHIP], "relationship")
        check.code(codes, relationship, "relationship", "relationship")
        rest = values[_REST]
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
        if _all_text(values[_HOUSEHOLD]):
            self._household_keys[values[_HOUSEHOLD]] = (household, agreeing)
            if values[1] == village:
                self._valid_villages[village] = village
        # Text values by themselves; from JSON, flags (where 1 and true mean the same) and
        # whole months as (int, n).
        for column, (value, accepted, encoded_value) in enumerate(
            zip(rest, self._rest_values, encoded, strict=True)
        ):
            if len(accepted) >= _CACHE_LIMIT:
                continue
            if value is None or value.__class__ is str:
                accepted[value] = encoded_value
            elif column == _WORK_MONTHS and value.__class__ is int:
                accepted[int, value] = encoded_value
            elif column > _WORK_MONTHS and value.__class__ is bool:
                accepted[value] = encoded_value
        if values[_RELATIONSHIP].__class__ is str:
            self._relationships[values[_RELATIONSHIP]] = encoded_relationship
        if len(self._births) < _CACHE_LIMIT:
            self._births[person.resident_id[6:14]] = born
        self._regions.add(person.region_code)
        self._emit(
            number, household, agreeing, person.number, _KINDS[person.kind], _SEXES[person.sex],
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


def _encodable(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _all_text(values: tuple[Any, ...]) -> bool:
    return all(value is None or value.__class__ is str for value in values)
