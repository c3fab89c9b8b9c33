"""The kit tables (idempotency, change feed, audit log) and the application role's grants.

Revision ID: funds0001
Revises:
Create Date: 2026-11-23 09:00:00+00:00
"""

from collections.abc import Sequence

from migrations import kit_v1

revision: str = "funds0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    kit_v1.create_kit_tables()
    kit_v1.grant_app_role()


def downgrade() -> None:
    kit_v1.revoke_app_role()
    kit_v1.drop_kit_tables()
