"""Load the monitoring code lists (代码表) from services/monitoring/codes/data/codes.csv.

Revision ID: monitoring0003
Revises: monitoring0002
Create Date: 2026-11-23 10:10:00+00:00
"""

import csv
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "monitoring0003"
down_revision: str | None = "monitoring0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODES_CSV = (
    Path(__file__).resolve().parents[3] / "services" / "monitoring" / "codes" / "data" / "codes.csv"
)


def upgrade() -> None:
    codes = sa.table(
        "codes",
        sa.column("list_name", sa.String),
        sa.column("code", sa.String),
        sa.column("label_zh", sa.String),
        sa.column("label_en", sa.String),
        sa.column("national_code", sa.String),
        sa.column("parent_code", sa.String),
        sa.column("sort_order", sa.Integer),
    )
    with CODES_CSV.open(encoding="utf-8", newline="") as source:
        rows = [
            {
                **row,
                "national_code": row["national_code"] or None,
                "parent_code": row["parent_code"] or None,
                "sort_order": int(row["sort_order"]),
            }
            for row in csv.DictReader(source)
        ]
    op.bulk_insert(codes, rows)


def downgrade() -> None:
    op.execute("DELETE FROM codes")
