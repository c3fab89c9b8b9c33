"""Bulk loading of loans (e.g. a partner bank's list): rows checked against the same rules as
an application (caps, rates, the borrower's age on the issue date, one waiting application per
borrower) and COPYed straight into `loans`, as applications waiting for their eligibility check
(`pending_eligibility`), with their schedules (all principal at maturity) and change-feed rows.

A bulk load never asks the monitoring service row by row; the loans enter the figures only
once `POST /loans/eligibility-checks` has confirmed each household, like any application that
could not be checked at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Uuid, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.personal_data import InvalidPersonNumber, Protector, parse_person_number
from services.common.personal_data.masking import mask_person_number
from services.employment.bulk import fields, loading
from services.employment.bulk.fields import RowError
from services.employment.bulk.report import BulkReport, Problems, RowProblem
from services.employment.bulk.streaming import FileFormat, Record, Upload
from services.employment.registry.eligibility import age_on
from services.employment.settings import EmploymentSettings
from services.employment.shared import add_months

ENTITY = "loan"
PENDING_REASON = (
    "bulk load: waiting for the monitoring service to confirm the household "
    "(POST /loans/eligibility-checks)"
)
FORMAT = FileFormat(
    columns=frozenset(
        {
            "ref",
            "person_number",
            "borrower_name",
            "bank",
            "amount",
            "term_months",
            "annual_rate",
            "interest_subsidy_rate",
            "issue_date",
        }
    ),
    required=frozenset(
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
    ),
)
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
# A batch's schedules (all principal at maturity) and change-feed rows, in file order, made
# from its loans just stored: one statement instead of two COPYs encoded row by row in Python.
SCHEDULES_AND_CHANGES = text(
    """
WITH batch AS (
    SELECT l.id, l.maturity_date, l.amount, l.area_code, wanted.position
    FROM unnest(:ids) WITH ORDINALITY AS wanted(id, position)
    CROSS JOIN LATERAL (SELECT * FROM loans WHERE loans.id = wanted.id LIMIT 1) AS l
),
schedules AS (
    INSERT INTO loan_installments (loan_id, seq, due_date, principal)
    SELECT id, 1, maturity_date, amount FROM batch ORDER BY position
)
INSERT INTO changes (entity, entity_id, operation, area_code, version)
SELECT 'loan', id::text, 'create', area_code, 1 FROM batch ORDER BY position
"""
).bindparams(bindparam("ids", type_=ARRAY(Uuid())))
# Each wanted borrower looked up in the index (LATERAL ... LIMIT 1 cannot be flattened into a
# join), not `= ANY(...)` nor a plain join: the plan cached for a load's batches is made when
# `loans` looks empty (emptied and analyzed), and as a join it became a scan of the whole
# growing index per batch with every wanted element compared to every row: a second
# 150,000-loan load after a first took 591 s (3,920 us of database CPU a row). The same holds
# for the batch's stored loans above.
WAITING = text(
    "SELECT wanted.borrower_index FROM unnest(:indexes) AS wanted(borrower_index) "
    "CROSS JOIN LATERAL (SELECT 1 FROM loans AS l WHERE l.borrower_index = wanted.borrower_index "
    "AND l.status = 'pending_eligibility' LIMIT 1) AS pending"
).bindparams(bindparam("indexes", type_=ARRAY(BYTEA())))


# Issue dates and terms repeat over a file's loans.
maturity = lru_cache(maxsize=16_384)(add_months)


@dataclass(slots=True)
class LoanRow:
    row: int
    ref: str | None
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


def loan_row(record: Record, settings: EmploymentSettings, protector: Protector) -> LoanRow:
    """The checked row, or `RowError` naming the rule (as an application would)."""
    values = record.values
    raw = fields.text(values, "person_number", 30)
    try:
        number = parse_person_number(raw)
    except InvalidPersonNumber as error:
        raise RowError("person_number", error.rule, error.message) from None
    amount = fields.money(values, "amount")
    if amount <= 0 or amount > settings.loan_max_amount:
        raise RowError(
            "amount",
            "loan_amount_over_cap" if amount > 0 else "decimal_range",
            f"A microcredit loan is more than 0 and at most {settings.loan_max_amount:.2f} yuan.",
        )
    months = fields.integer(values, "term_months", 1, 600)
    if months > settings.loan_max_term_months:
        raise RowError(
            "term_months",
            "loan_term_over_cap",
            f"A microcredit loan runs at most {settings.loan_max_term_months} months.",
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
    if not settings.loan_borrower_age_min <= age <= settings.loan_borrower_age_max:
        raise RowError(
            "person_number",
            "borrower_age",
            f"Borrowers are {settings.loan_borrower_age_min} to "
            f"{settings.loan_borrower_age_max} years old on the issue date; this one is {age}.",
        )
    return LoanRow(
        row=record.row,
        ref=record.ref,
        borrower_index=protector.person_number_index(number.number),
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


async def load_loans(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    protector: Protector,
    upload: Upload,
) -> BulkReport:
    problems = Problems(limit=settings.bulk_max_reported_problems)
    seen: set[bytes] = set()
    await loading.hold_statistics(session, ("loans", "loan_installments"))
    copy_loans = await loading.copier(session, "loans", LOAN_COLUMNS)

    async def store(rows: list[LoanRow]) -> None:
        indexes = list({row.borrower_index for row in rows})
        waiting = set((await session.scalars(WAITING, {"indexes": indexes})).all())
        loans, loan_ids = [], []
        ids = iter(loading.new_ids(len(rows)))
        for row in rows:
            if row.borrower_index in seen or row.borrower_index in waiting:
                problems.add(refused(row.row, row.ref, repeated=row.borrower_index in seen))
                continue
            seen.add(row.borrower_index)
            loan_id = next(ids)
            loan_ids.append(loan_id)
            loans.append(
                (
                    loan_id,
                    principal.area,
                    "pending_eligibility",
                    "bulk",
                    row.borrower_index,
                    row.borrower_masked,
                    row.borrower_name,
                    row.birth_date,
                    row.bank,
                    row.amount,
                    row.term_months,
                    row.annual_rate,
                    row.interest_subsidy_rate,
                    row.issue_date,
                    row.maturity_date,
                    row.maturity_date,
                    Decimal(0),
                    PENDING_REASON,
                    0,
                    1,
                )
            )
        await copy_loans(loans)
        if loan_ids:
            await session.execute(SCHEDULES_AND_CHANGES, {"ids": loan_ids})

    await loading.pipeline(
        upload,
        FORMAT,
        lambda record: loan_row(record, settings, protector),
        store,
        problems,
    )
    report = problems.report(uuid.uuid4(), ENTITY, upload.rows)
    await record_audit(
        session,
        principal,
        action="bulk_create",
        entity=f"{ENTITY}_import",
        entity_id=str(report.import_id),
        area_code=principal.area,
        details={"rows": report.rows, "accepted": report.accepted, "rejected": report.rejected},
    )
    return report


def refused(row: int, ref: str | None, *, repeated: bool) -> RowProblem:
    if repeated:
        return RowProblem(
            row=row,
            ref=ref,
            field="person_number",
            rule="duplicate_borrower",
            message="The same borrower is on an earlier row of the file.",
        )
    return RowProblem(
        row=row,
        ref=ref,
        field="person_number",
        rule="loan_application_pending",
        message="This borrower has an application waiting for its eligibility check.",
    )
