"""Partial indexes for overdue loans read at read time: the outstanding loans by maturity (with
what they owe), and the loans whose schedule has more than one installment (figures/repository.py
`overdue_loans` reads only the loans that can be behind).

Revision ID: employment0005
Revises: employment0004
Create Date: 2026-11-26 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "employment0005"
down_revision: str | None = "employment0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_loans_maturity_date_outstanding",
        "loans",
        ["maturity_date"],
        postgresql_include=["area_code", "amount", "principal_repaid"],
        postgresql_where=sa.text("status = 'outstanding'"),
    )
    op.create_index(
        "ix_loan_installments_loan_id_second",
        "loan_installments",
        ["loan_id"],
        postgresql_where=sa.text("seq = 2"),
    )


def downgrade() -> None:
    op.drop_index("ix_loan_installments_loan_id_second", table_name="loan_installments")
    op.drop_index("ix_loans_maturity_date_outstanding", table_name="loans")
