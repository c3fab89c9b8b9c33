"""The export query of loans, scoped by area in SQL."""

from __future__ import annotations

from sqlalchemy import select

from services.common.auth.principal import Principal
from services.common.exports import AnySelect
from services.common.scope import in_scope
from services.employment.models import Loan

# The borrower's ID number is kept only masked and as a blind index in this service (the
# registry holds the ciphertext), so a loan export shows it masked whoever asks; the blind
# index is never exported.
LOAN_COLUMNS = (
    Loan.id,
    Loan.area_code,
    Loan.status,
    Loan.source,
    Loan.household_id,
    Loan.borrower_member_id,
    Loan.borrower_masked.label("borrower_person_number"),
    Loan.borrower_name,
    Loan.borrower_birth_date,
    Loan.household_kind,
    Loan.monitoring_status,
    Loan.bank,
    Loan.amount,
    Loan.term_months,
    Loan.annual_rate,
    Loan.interest_subsidy_rate,
    Loan.issue_date,
    Loan.maturity_date,
    Loan.original_maturity_date,
    Loan.principal_repaid,
    Loan.closed_on,
    Loan.renewed_from_id,
    Loan.refusal_rule,
    Loan.version,
    Loan.created_at,
    Loan.updated_at,
)


def loans(scope: Principal) -> AnySelect:
    """Every loan in scope: pending, outstanding, repaid, written off or refused."""
    return (
        select(*LOAN_COLUMNS)
        .where(in_scope(Loan.area_code, scope))
        .order_by(Loan.area_code, Loan.id)
    )
