"""Dated figures (按日统计): per-day deltas of every figure, kept by a trigger in the writing
transaction and backfilled from the current figures dated today (earlier history is not known).

Revision ID: monitoring0006
Revises: monitoring0005
Create Date: 2026-11-25 09:00:00+00:00
"""

from collections.abc import Sequence

from migrations import figure_days_v1

revision: str = "monitoring0006"
down_revision: str | None = "monitoring0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    figure_days_v1.create(
        "area_figures", "area_figure_days", ("area_code", "year", "metric"), "value", "bigint"
    )


def downgrade() -> None:
    figure_days_v1.drop("area_figures", "area_figure_days")
