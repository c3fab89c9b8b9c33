"""County figures (县级汇总): the village figures summed per county, kept by a trigger in the
writing transaction (one row per writer, folded into one by the service), backfilled from the
village figures.

Revision ID: monitoring0007
Revises: monitoring0006
Create Date: 2026-11-26 09:00:00+00:00
"""

from collections.abc import Sequence

from migrations import county_figures_v1

revision: str = "monitoring0007"
down_revision: str | None = "monitoring0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    county_figures_v1.create("area_figures", "county_figures", "bigint")


def downgrade() -> None:
    county_figures_v1.drop("area_figures", "county_figures")
