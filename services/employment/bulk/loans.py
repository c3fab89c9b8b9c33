"""Bulk loading of loans (e.g. a partner bank's list): rows checked against the same rules as
an application and encoded in worker processes (bulk/loan_checks.py), then COPYed straight into
`loans`, as applications waiting for their eligibility check (`pending_eligibility`), with their
schedules (all principal at maturity) and change-feed rows. The event loop only reads the body,
refuses a second waiting application of a borrower, and forwards the encoded rows.

A bulk load never asks the monitoring service row by row; the loans enter the figures only
once `POST /loans/eligibility-checks` has confirmed each household, like any application that
could not be checked at once.
"""

from __future__ import annotations

import functools
import uuid

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.copy_binary import copy_rows
from services.common.driver import driver_connection
from services.common.personal_data import Protector
from services.employment.bulk import loading
from services.employment.bulk.loan_checks import (
    ENTITY,
    FORMAT,
    INSTALLMENT_COLUMNS,
    LOAN_COLUMNS,
    CheckedLoans,
    LoanRules,
    check_loans,
)
from services.employment.bulk.report import BulkReport, Problems, RowProblem
from services.employment.bulk.streaming import Upload
from services.employment.settings import EmploymentSettings

# Each wanted borrower looked up in the index (LATERAL ... LIMIT 1 cannot be flattened into a
# join), not `= ANY(...)` nor a plain join: the plan cached for a load's batches is made when
# `loans` looks empty (emptied and analyzed), and as a join it became a scan of the whole
# growing index per batch with every wanted element compared to every row: a second
# 150,000-loan load after a first took 591 s (3,920 us of database CPU a row).
WAITING = (
    "SELECT wanted.borrower_index FROM unnest($1::bytea[]) AS wanted(borrower_index) "
    "CROSS JOIN LATERAL (SELECT 1 FROM loans AS l WHERE l.borrower_index = wanted.borrower_index "
    "AND l.status = 'pending_eligibility' LIMIT 1) AS pending"
)


async def load_loans(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    protector: Protector,
    upload: Upload,
) -> BulkReport:
    problems = Problems(limit=settings.bulk_max_reported_problems)
    await loading.hold_statistics(session, ("loans", "loan_installments"))
    driver = await driver_connection(session)
    store = _Store(driver, problems)
    check = functools.partial(check_loans, LoanRules.of(settings, principal.area))
    batches = loading.checked_batches(upload, FORMAT, check, workers=_workers(settings, upload))
    async for batch in batches:
        await store(batch)
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


class _Store:
    """Stores a load's checked batches, one waiting application per borrower."""

    def __init__(self, driver: asyncpg.Connection, problems: Problems) -> None:
        self.driver = driver
        self.problems = problems
        self.seen: set[bytes] = set()

    async def __call__(self, batch: CheckedLoans) -> None:
        for problem in batch.problems:
            self.problems.add(problem)
        waiting = (
            {row[0] for row in await self.driver.fetch(WAITING, batch.borrower_index)}
            if batch.borrower_index
            else set()
        )
        kept = []
        for position, index in enumerate(batch.borrower_index):
            if index in self.seen or index in waiting:
                self.problems.add(
                    refused(batch.row[position], batch.ref[position], repeated=index in self.seen)
                )
                continue
            self.seen.add(index)
            kept.append(position)
        if len(kept) < len(batch.loan):
            batch.loan = [batch.loan[position] for position in kept]
            batch.installment = [batch.installment[position] for position in kept]
            batch.change = [batch.change[position] for position in kept]
        await copy_rows(self.driver, "loans", LOAN_COLUMNS, batch.loan)
        await copy_rows(self.driver, "loan_installments", INSTALLMENT_COLUMNS, batch.installment)
        await copy_rows(self.driver, "changes", loading.CHANGE_COLUMNS, batch.change)


def _workers(settings: EmploymentSettings, upload: Upload) -> int:
    """Worker processes for this file: none for a small one (a thread checks it)."""
    size = upload.content_length
    if size is not None and size < settings.bulk_process_from_bytes:
        return 0
    return settings.bulk_workers


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
