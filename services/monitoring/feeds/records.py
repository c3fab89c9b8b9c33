"""Checking one staged record: the fields a department sends, the person's ID number protected
on the way. A record that breaks a rule becomes a rejection naming the field and the rule; no
rejection repeats the ID number. Plain Python without the database: the worker runs it on a
thread while the previous chunk is being written."""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from services.common.areas import InvalidAreaCode, significant_prefix, validate_area_code
from services.common.personal_data import InvalidPersonNumber, Protector
from services.monitoring.feeds.formats import UNREADABLE, Format
from services.monitoring.feeds.person_numbers import FeedPersonNumber, NumberProtector
from services.monitoring.warnings.rules.evaluation import RuleSet

DETAILS = b"feed_record_details"
_DETAILS_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# The C encoder behind `_DETAILS_JSON.encode`, built once instead of at every call (a third of
# the encoding's time); no check for cycles, which a decoded JSON value cannot hold.
_DETAILS_C = json.encoder.c_make_encoder and json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None, _DETAILS_JSON.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
)
# The C scanner json.loads runs (an attribute typeshed does not declare).
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
MAX_DETAILS_CHARS = 4000
MAX_AMOUNT = Decimal("1e16")


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    source_record_id: str | None
    field: str
    rule: str
    message: str


# Not frozen, like the other per-record classes of the feed path: a frozen dataclass's
# __init__ costs about three times as much, and a batch makes millions of them.
@dataclass(slots=True)
class ValidRecord:
    line: int
    source: str
    source_record_id: str
    person: FeedPersonNumber
    name: str
    area_code: str
    event_type: str
    event_date: date
    amount: Decimal | None
    details_cipher: bytes | None


class Invalid(Exception):
    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field, self.rule, self.message = field, rule, message


@dataclass(frozen=True)
class RecordChecker:
    """What a batch's records are checked against; one a chunk (its encryptors belong to one
    thread)."""

    protector: Protector
    event_types: Mapping[str, frozenset[str]]  # known event types by source (feed_source)
    client_area: str
    default_source: str | None
    rules: RuleSet
    today: date
    format: Format
    header: tuple[str, ...] = ()
    area_prefix: str = field(init=False)
    numbers: NumberProtector = field(init=False)
    encrypt_details: Callable[[bytes], bytes] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "area_prefix", significant_prefix(self.client_area))
        object.__setattr__(self, "numbers", NumberProtector(self.protector))
        object.__setattr__(self, "encrypt_details", self.protector.keyring.bulk_encryptor(DETAILS))

    def check(self, line: int, text: str) -> ValidRecord | Rejection | None:
        """The record on a staged line, checked; None for a blank NDJSON line."""
        if not text:
            return None
        record_id: str | None = None
        try:
            record = self._decode(text)
            record_id = _record_id(record)
            return self._check(line, record, record_id)
        except Invalid as problem:
            return Rejection(line, record_id, problem.field, problem.rule, problem.message)

    def _decode(self, text: str) -> dict[str, Any]:
        if text == UNREADABLE:
            raise Invalid("record", "encoding", "The line is not UTF-8.")
        try:
            value = _json_value(text)
        except json.JSONDecodeError as exc:
            raise Invalid("record", "json_malformed", f"The line is not JSON: {exc.msg}.") from None
        if self.format == "csv":
            if len(value) != len(self.header):
                raise Invalid(
                    "record",
                    "csv_cells",
                    f"The row has {len(value)} cells; the header has {len(self.header)}.",
                )
            return {name: cell for name, cell in zip(self.header, value, strict=True) if cell}
        if not isinstance(value, dict):
            raise Invalid("record", "record_not_object", "A record is a JSON object.")
        return value

    def _check(self, line: int, record: dict[str, Any], record_id: str) -> ValidRecord:
        source = _text(record, "source", 40, required=False) or self.default_source
        if source is None:
            raise Invalid("source", "required", "source is required (or ?source= on the batch).")
        event_types = self.event_types.get(source)
        if event_types is None:
            raise Invalid("source", "source_unknown", f"{source!r} is not a feed_source code.")
        raw_number = _text(record, "person_number", 30)
        assert raw_number is not None
        try:
            person = self.numbers.protect(raw_number)
        except InvalidPersonNumber as error:
            raise Invalid("person_number", error.rule, error.message) from None
        name = _text(record, "name", 50)
        assert name is not None
        area_code = self._area_code(record)
        event_type = _text(record, "event_type", 40)
        assert event_type is not None
        if event_type not in event_types:
            raise Invalid(
                "event_type", "event_type_unknown", f"{event_type!r} is not an event of {source}."
            )
        amount = _amount(record.get("amount"))
        if amount is None and self.rules.needs_amount(source, event_type):
            raise Invalid("amount", "required", f"Records of {event_type} need the amount.")
        return ValidRecord(
            line=line,
            source=source,
            source_record_id=record_id,
            person=person,
            name=name,
            area_code=area_code,
            event_type=event_type,
            event_date=self._event_date(record),
            amount=amount,
            details_cipher=self._details(record.get("details")),
        )

    def _area_code(self, record: dict[str, Any]) -> str:
        code = _text(record, "area_code", 12)
        assert code is not None
        problem = _area_code_problem(code)
        if problem is not None:
            raise Invalid("area_code", *problem)
        if not code.startswith(self.area_prefix):
            raise Invalid(
                "area_code", "area_out_of_scope", "The area is outside the feed client's area."
            )
        return code

    def _event_date(self, record: dict[str, Any]) -> date:
        value = _text(record, "event_date", 10)
        assert value is not None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise Invalid("event_date", "date_format", "event_date is YYYY-MM-DD.") from None
        if day > self.today:
            raise Invalid("event_date", "date_in_future", "event_date is in the future.")
        return day

    def _details(self, value: object) -> bytes | None:
        if value is None or value == "":
            return None
        if isinstance(value, str) and self.format == "csv":
            value = _details_cell(value)
        if not isinstance(value, dict):
            raise Invalid("details", "details_not_object", "details is a JSON object.")
        text = "".join(_DETAILS_C(value, 0)) if _DETAILS_C else _DETAILS_JSON.encode(value)
        if len(text) > MAX_DETAILS_CHARS:
            raise Invalid(
                "details", "too_long", f"details is longer than {MAX_DETAILS_CHARS} characters."
            )
        try:
            plain = text.encode()
        except UnicodeEncodeError:  # a lone surrogate, which JSON's \ud800 can spell
            raise Invalid(
                "details", "string_encoding", "details holds text that is not valid Unicode."
            ) from None
        return self.encrypt_details(plain)


def _json_value(text: str) -> Any:
    """`json.loads(text)`, through the decoder's C scanner when the line is one JSON value and
    nothing else (nearly always): json.loads' own steps around it cost a third of the decoding.
    Any other line goes through json.loads, for its value or its exact error."""
    try:
        value, end = _SCAN(text, 0)
    except (StopIteration, ValueError):
        return json.loads(text)
    if end != len(text):
        return json.loads(text)
    return value


@lru_cache(maxsize=65_536)
def _area_code_problem(code: str) -> tuple[str, str] | None:
    """The rule a code breaks and why (None when valid), remembered: a batch names the same
    villages again and again."""
    try:
        validate_area_code(code)
    except InvalidAreaCode as error:
        return f"code_{error.rule}", error.message
    return None


def _record_id(record: dict[str, Any]) -> str:
    value = record.get("record_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = _text(record, "record_id", 100)
    assert text is not None
    return text


def _text(
    record: dict[str, Any], name: str, max_length: int, *, required: bool = True
) -> str | None:
    value = record.get(name)
    if value is not None and type(value) is not str:
        raise Invalid(name, "type", f"{name} must be a string.")
    value = value.strip() if value is not None else None
    if not value:
        if required:
            raise Invalid(name, "required", f"{name} is required.")
        return None
    if len(value) > max_length:
        raise Invalid(name, "too_long", f"{name} is longer than {max_length} characters.")
    if not value.isprintable():
        raise Invalid(name, "control_characters", f"{name} holds control characters.")
    return value


def _amount(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid("amount", "amount_format", 'amount is a decimal in yuan, e.g. "5230.50".')
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(
            "amount", "amount_format", 'amount is a decimal in yuan, e.g. "5230.50".'
        ) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise Invalid("amount", "amount_format", "amount has at most 2 decimal places.")
    if amount < 0:
        raise Invalid("amount", "amount_negative", "amount cannot be negative.")
    if amount >= MAX_AMOUNT:
        raise Invalid("amount", "amount_too_large", "amount is too large.")
    return amount


def _details_cell(value: str) -> object:
    """A CSV `details` cell: a JSON object, or plain text kept as `{"text": ...}`."""
    if value.lstrip().startswith("{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            pass
    return {"text": value}
