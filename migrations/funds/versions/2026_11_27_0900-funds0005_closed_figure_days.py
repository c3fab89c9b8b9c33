"""Closed days (结转): past days' deltas of the county slots summed per county and per month, so
a past day reads about one row per county and metric instead of every slot's every day
(migrations/closed_figure_days_v1.py).

Revision ID: funds0005
Revises: funds0004
Create Date: 2026-11-27 09:00:00+00:00
"""

from collections.abc import Sequence

from migrations import closed_figure_days_v1

revision: str = "funds0005"
down_revision: str | None = "funds0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    closed_figure_days_v1.create("fund_figure_days", "numeric(18, 2)")


def downgrade() -> None:
    closed_figure_days_v1.drop("fund_figure_days")
