"""Folding the county figures' slots (槽位合并): `fund_figures_fold` moves the rows of slots 1 to
16 into slot 0, which no writer uses from now on (writers take slots 1 to 16), so a read sums
about one row per figure. Existing rows stay where they are: slot 0 rows count as folded.

Revision ID: funds0004
Revises: funds0003
Create Date: 2026-11-26 09:00:00+00:00
"""

from collections.abc import Sequence

from migrations import county_figures_v1

revision: str = "funds0004"
down_revision: str | None = "funds0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    county_figures_v1.create_fold("fund_figures")


def downgrade() -> None:
    county_figures_v1.drop_fold("fund_figures")
