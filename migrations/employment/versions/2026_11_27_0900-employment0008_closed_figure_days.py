"""Closed days (结转): past days' village deltas summed per county and per month, so a past day
reads about one row per county and metric instead of every village's every day
(migrations/closed_figure_days_v1.py).

Revision ID: employment0008
Revises: employment0007
Create Date: 2026-11-27 09:00:00+00:00
"""

from collections.abc import Sequence

from migrations import closed_figure_days_v1

revision: str = "employment0008"
down_revision: str | None = "employment0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    closed_figure_days_v1.create("area_figure_days", "numeric(20, 2)")


def downgrade() -> None:
    closed_figure_days_v1.drop("area_figure_days")
