"""Dated figures (按日统计): per-day deltas of every figure, kept by a trigger in the writing
transaction and backfilled from the current figures dated today (earlier history is not known).

Revision ID: funds0003
Revises: funds0002
Create Date: 2026-11-25 09:00:00+00:00
"""

from collections.abc import Sequence

from migrations import figure_days_v1

revision: str = "funds0003"
down_revision: str | None = "funds0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    figure_days_v1.create(
        "fund_figures",
        "fund_figure_days",
        ("county_code", "year", "metric", "slot"),
        "value",
        "numeric(18, 2)",
    )


def downgrade() -> None:
    figure_days_v1.drop("fund_figures", "fund_figure_days")
