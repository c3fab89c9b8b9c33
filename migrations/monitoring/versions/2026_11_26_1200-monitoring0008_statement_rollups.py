"""Statement-level roll-ups (按语句汇总): the dated and county figures kept by one trigger per
statement on the village figures instead of two per changed row (migrations/figure_rollup_v1.py).

Revision ID: monitoring0008
Revises: monitoring0007
Create Date: 2026-11-26 12:00:00+00:00
"""

from collections.abc import Sequence

from migrations import figure_rollup_v1

revision: str = "monitoring0008"
down_revision: str | None = "monitoring0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    figure_rollup_v1.create("area_figures", "area_figure_days", "county_figures")


def downgrade() -> None:
    figure_rollup_v1.drop("area_figures", "area_figure_days", "county_figures")
