"""A link remembers the date of its latest refund (`refunded_through`), so that a payment dated
before it is checked day by day (services/funds/dated_limits/): a refund frees money only from
its own date on, and a back-dated payment must not rely on it. Filled from the refunds so far.

Revision ID: funds0007
Revises: funds0006
Create Date: 2026-11-29 09:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "funds0007"
down_revision: str | None = "funds0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE fund_links ADD COLUMN refunded_through date")
    op.execute(
        """
        UPDATE fund_links AS l SET refunded_through = r.latest
        FROM (SELECT link_id, max(paid_on) AS latest FROM payments
              WHERE kind = 'reversal' GROUP BY link_id) AS r
        WHERE r.link_id = l.id
        """
    )


def downgrade() -> None:
    op.execute("ALTER TABLE fund_links DROP COLUMN refunded_through")
