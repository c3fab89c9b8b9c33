"""Department warnings and their events without foreign-key checks (外键检查), which locked a
registry row for every warning or event a feed chunk writes.

A foreign key's check locks the referenced row (`SELECT ... FOR KEY SHARE`), and that lock is
written into the row itself: each new warning dirtied its household's page of the registry,
and each event its warning's page, so after every checkpoint the write-ahead log took a full
image of each such page (in the feed benchmark, 88 MB of log per 100,000 records for the
households alone; together about 4 µs of PostgreSQL a record, a tenth of its share). The
references stay exact without the checks, as those of `feed_records` always have:
- a warning's household comes from the registry in the statement that writes it
  (feeds/matching.py), and no household that ever committed is deleted (an import removes
  only households it loaded itself, in its own transaction, before any other sees them);
- an event's warning is read, locked or just inserted, in the statement that attaches it
  (warnings/raising.py), and warnings are never deleted.

Revision ID: monitoring0012
Revises: monitoring0011
Create Date: 2026-11-30 09:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "monitoring0012"
down_revision: str | None = "monitoring0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOUSEHOLD = ("fk_department_warnings_household_id_households", "department_warnings")
WARNING = (
    "fk_department_warning_events_warning_id_department_warnings",
    "department_warning_events",
)


def upgrade() -> None:
    for name, table in (HOUSEHOLD, WARNING):
        op.drop_constraint(name, table, type_="foreignkey")


def downgrade() -> None:
    op.create_foreign_key(HOUSEHOLD[0], HOUSEHOLD[1], "households", ["household_id"], ["id"])
    op.create_foreign_key(
        WARNING[0], WARNING[1], "department_warnings", ["warning_id"], ["id"]
    )
