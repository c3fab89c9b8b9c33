"""County figures (县级汇总): the village figures summed per county, kept by a trigger in the
writing transaction (one row per writer, folded into one by the service), backfilled from the
village figures.

Revision ID: employment0004
Revises: employment0003
Create Date: 2026-11-26 09:00:00+00:00
"""

from collections.abc import Sequence

from migrations import county_figures_v1

revision: str = "employment0004"
down_revision: str | None = "employment0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    county_figures_v1.create("area_figures", "county_figures", "numeric(20, 2)")


def downgrade() -> None:
    county_figures_v1.drop("area_figures", "county_figures")
