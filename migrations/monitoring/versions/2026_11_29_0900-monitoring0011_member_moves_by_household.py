"""A household's member moves, in and out (成员迁入迁出记录), read by household: one index on
each side of a move, with the id for newest-first pages.

Revision ID: monitoring0011
Revises: monitoring0010
Create Date: 2026-11-29 09:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "monitoring0011"
down_revision: str | None = "monitoring0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_member_moves_from_household_id_id", "member_moves", ["from_household_id", "id"]
    )
    op.create_index("ix_member_moves_to_household_id_id", "member_moves", ["to_household_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_member_moves_to_household_id_id", table_name="member_moves")
    op.drop_index("ix_member_moves_from_household_id_id", table_name="member_moves")
