"""Checking a bulk file's loans a batch of rows at a time, where the batch is sent: a worker
process for a large file, the event loop's thread for a small one (bulk/loading.py). Each row is
checked against the rules of an application (caps, rates, the borrower's age on the issue date)
and encoded, ready for COPY, as its `loans` row, its schedule (all principal at maturity) and
its change-feed row. Everything here is a pure function of picklable values.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from services.common import copy_binary as encode
from services.common.personal_data import InvalidPersonNumber, parse_person_number
from services.common.personal_data.blind_index import BlindIndex
from services.common.personal_data.masking import mask_person_number
from services.employment.bulk import fields
from services.employment.bulk.fields import RowError
from services.employment.bulk.loading import CHANGE_COLUMNS, problem
from services.employment.bulk.report import RowProblem
from services.employment.bulk.streaming import FileFormat, Lines, Record, records_of
from services.employment.registry.eligibility import age_on
from services.employment.settings import EmploymentSettings
from services.employment.shared import add_months

ENTITY = "loan"
PENDING_REASON = (
    "bulk load: waiting for the monitoring service to confirm the household "
    "(POST /loans/eligibility-checks)"
)
REQUIRED = frozenset(
    {
        "person_number",
        "borrower_name",
        "bank",
        "amount",
        "term_months",
        "annual_rate",
        "interest_subsidy_rate",
        "issue_date",
    }
)
FORMAT = FileFormat(columns=REQUIRED | {"ref"}, required=REQUIRED)
# The columns each encoded row fills, in order; the others take their defaults.
LOAN_COLUMNS = (
    "id",
    "area_code",
    "status",
    "source",
    "borrower_index",
    "borrower_masked",
    "borrower_name",
    "borrower_birth_date",
    "bank",
    "amount",
    "term_months",
    "annual_rate",
    "interest_subsidy_rate",
    "issue_date",
    "maturity_date",
    "original_maturity_date",
    "principal_repaid",
    "pending_reason",
    "check_attempts",
    "version",
)
INSTALLMENT_COLUMNS = ("loan_id", "seq", "due_date", "principal")

# Issue dates and terms repeat over a file's loans.
maturity = lru_cache(maxsize=16_384)(add_months)
_dates = lru_cache(maxsize=16_384)(encode.date)


@dataclass(frozen=True)
class LoanRules:
    """What checking needs, picklable: the caps of the settings, the caller's area and the
    blind index key (a worker builds its own index from it)."""

    area_code: str
    max_amount: Decimal
    max_term_months: int
    age_min: int
    age_max: int
    blind_index_key: str

    @classmethod
    def of(cls, settings: EmploymentSettings, area_code: str) -> LoanRules:
        return cls(
            area_code=area_code,
            max_amount=settings.loan_max_amount,
            max_term_months=settings.loan_max_term_months,
            age_min=settings.loan_borrower_age_min,
            age_max=settings.loan_borrower_age_max,
            blind_index_key=settings.blind_index_key,
        )


@dataclass(slots=True)
class LoanRow:
    borrower_index: bytes
    borrower_masked: str
    borrower_name: str
    birth_date: date
    bank: str
    amount: Decimal
    term_months: int
    annual_rate: Decimal
    interest_subsidy_rate: Decimal
    issue_date: date
    maturity_date: date


@dataclass
class CheckedLoans:
    """A batch's rows, columnar (cheap to pickle): the valid ones in file order, each with its
    three encoded rows, and the problems of the others."""

    row: list[int] = field(default_factory=list)
    ref: list[str | None] = field(default_factory=list)
    borrower_index: list[bytes] = field(default_factory=list)
    loan: list[bytes] = field(default_factory=list)
    installment: list[bytes] = field(default_factory=list)
    change: list[bytes] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def check_loans(rules: LoanRules, header: list[str] | None, batch: Lines) -> CheckedLoans:
    """Read, check and encode a batch of rows (`header`: a CSV file's, None for NDJSON)."""
    index = _blind_index(rules.blind_index_key)
    constants = _Constants.of(rules.area_code)
    checked = CheckedLoans()
    for record in records_of(batch, FORMAT, header):
        if isinstance(record, RowProblem):
            checked.problems.append(record)
            continue
        try:
            row = loan_row(record, rules, index)
        except RowError as error:
            checked.problems.append(problem(record, error))
            continue
        loan_id = _new_id()
        maturity_date = _dates(row.maturity_date)
        amount = encode.numeric(row.amount)
        checked.row.append(record.row)
        checked.ref.append(record.ref)
        checked.borrower_index.append(row.borrower_index)
        checked.loan.append(
            b"".join(
                (
                    constants.loan_head,
                    encode.uuid(loan_id),
                    constants.loan_area,
                    encode.binary(row.borrower_index),
                    encode.text(row.borrower_masked),
                    encode.text(row.borrower_name),
                    _dates(row.birth_date),
                    encode.text(row.bank),
                    amount,
                    encode.smallint(row.term_months),
                    encode.numeric(row.annual_rate),
                    encode.numeric(row.interest_subsidy_rate),
                    _dates(row.issue_date),
                    maturity_date,
                    maturity_date,
                    constants.loan_tail,
                )
            )
        )
        checked.installment.append(
            constants.installment_head
            + encode.uuid(loan_id)
            + constants.first
            + maturity_date
            + amount
        )
        checked.change.append(
            constants.change_head
            + encode.text(str(uuid.UUID(bytes=loan_id)))
            + constants.change_tail
        )
    return checked


def loan_row(record: Record, rules: LoanRules, index: BlindIndex) -> LoanRow:
    """The checked row, or `RowError` naming the rule (as an application would)."""
    values = record.values
    raw = fields.text(values, "person_number", 30)
    try:
        number = parse_person_number(raw)
    except InvalidPersonNumber as error:
        raise RowError("person_number", error.rule, error.message) from None
    amount = fields.money(values, "amount")
    if amount <= 0 or amount > rules.max_amount:
        raise RowError(
            "amount",
            "loan_amount_over_cap" if amount > 0 else "decimal_range",
            f"A microcredit loan is more than 0 and at most {rules.max_amount:.2f} yuan.",
        )
    months = fields.integer(values, "term_months", 1, 600)
    if months > rules.max_term_months:
        raise RowError(
            "term_months",
            "loan_term_over_cap",
            f"A microcredit loan runs at most {rules.max_term_months} months.",
        )
    rate = fields.percent(values, "annual_rate")
    subsidy_rate = fields.percent(values, "interest_subsidy_rate")
    if subsidy_rate > rate:
        raise RowError(
            "interest_subsidy_rate",
            "interest_subsidy_above_rate",
            "The interest subsidy cannot exceed the loan's rate.",
        )
    issued = fields.day(values, "issue_date")
    age = age_on(number.birth_date, issued)
    if not rules.age_min <= age <= rules.age_max:
        raise RowError(
            "person_number",
            "borrower_age",
            f"Borrowers are {rules.age_min} to {rules.age_max} years old on the issue date; "
            f"this one is {age}.",
        )
    return LoanRow(
        # Indexed on the 18-character resident ID, as `Protector.person_number_index` does.
        borrower_index=index.digest_canonical(number.number[:18]),
        borrower_masked=mask_person_number(number.number),
        borrower_name=fields.text(values, "borrower_name", 50),
        birth_date=number.birth_date,
        bank=fields.text(values, "bank", 100),
        amount=amount,
        term_months=months,
        annual_rate=rate,
        interest_subsidy_rate=subsidy_rate,
        issue_date=issued,
        maturity_date=maturity(issued, months),
    )


def _new_id() -> bytes:
    """A random (version 4) UUID's bytes."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    return bytes(raw)


@lru_cache(maxsize=4)
def _blind_index(key: str) -> BlindIndex:
    return BlindIndex.from_setting(key)


@dataclass(frozen=True)
class _Constants:
    """The encoded parts every row of a load shares."""

    loan_head: bytes
    loan_area: bytes
    loan_tail: bytes
    installment_head: bytes
    first: bytes
    change_head: bytes
    change_tail: bytes

    @classmethod
    @lru_cache(maxsize=64)
    def of(cls, area_code: str) -> _Constants:
        return cls(
            loan_head=encode.field_count(len(LOAN_COLUMNS)),
            loan_area=encode.text(area_code)
            + encode.text("pending_eligibility")
            + encode.text("bulk"),
            loan_tail=encode.numeric(Decimal("0.00"))
            + encode.text(PENDING_REASON)
            + encode.integer(0)
            + encode.integer(1),
            installment_head=encode.field_count(len(INSTALLMENT_COLUMNS)),
            first=encode.smallint(1),
            change_head=encode.field_count(len(CHANGE_COLUMNS)) + encode.text(ENTITY),
            change_tail=encode.text("create") + encode.text(area_code) + encode.integer(1),
        )
