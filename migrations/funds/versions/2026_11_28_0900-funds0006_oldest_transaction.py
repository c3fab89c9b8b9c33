"""The start of this database's oldest running transaction, for the closing of the dated
figures' days under the application role (migrations/running_transactions_v1.py).

Revision ID: funds0006
Revises: funds0005
Create Date: 2026-11-28 09:00:00+00:00
"""

from collections.abc import Sequence

from migrations import running_transactions_v1

revision: str = "funds0006"
down_revision: str | None = "funds0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    running_transactions_v1.create()


def downgrade() -> None:
    running_transactions_v1.drop()
